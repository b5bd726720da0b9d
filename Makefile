# vrfmgr — routing domains from one INI file.
#
#   make            build vrfmgr/vrfmgr (and the external plugins)
#   make check      install build/test packages if missing, build, run every test
#   make demo       build, then plan/apply/audit vrfmgr.ini.example in a sandbox
#   make bench      benchmark against the shell baseline (see docs/performance.md)
#   make fuzz       run the config-loader fuzzer for FUZZ_SECONDS
#   make SANITIZE=1 build with AddressSanitizer + UndefinedBehaviorSanitizer

PREFIX  ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
LIBDIR  ?= $(PREFIX)/lib
UNITDIR ?= /lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR ?=

VERSION := 0.1.0
PKGS    := inih libnl-3.0 libnl-route-3.0 libmnl libnftnl libnftables
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wno-unused-parameter -D_GNU_SOURCE -DVRF_VERSION='"$(VERSION)"' \
	   -DVRF_PLUGIN_DIR='"$(LIBDIR)/vrfmgr/plugins"' -Ivrfmgr \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl

ifeq ($(SANITIZE),1)
B       := build-san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The crash tests stop the sanitizer build after its Nth kernel operation
# (VRF_FAULT_AFTER); the normal binary has no such switch.
CFLAGS  += -DVRF_FAULT_INJECTION
LDFLAGS += -fsanitize=address,undefined
BIN     := $(B)/bin/vrfmgr
else
B       := build
BIN     := vrfmgr/vrfmgr
endif

CORE_SRC := $(filter-out vrfmgr/main.c,$(wildcard vrfmgr/*.c)) $(wildcard plugins/*.c)
CORE_OBJ := $(patsubst %.c,$(B)/%.o,$(CORE_SRC))
EXT_SRC  := $(wildcard plugins/ext/*.c)
EXT_SO   := $(patsubst plugins/ext/%.c,$(B)/plugins/%.so,$(EXT_SRC))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRC))
HDRS     := $(wildcard vrfmgr/*.h plugins/*.h)

all: $(BIN) $(EXT_SO) $(UNIT_BIN) $(TOOL_BIN)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libvrfcore.a: $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# --whole-archive keeps the plugins' registration records, which nothing
# references by name.
$(BIN): $(B)/vrfmgr/main.o $(B)/libvrfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(B)/vrfmgr/main.o \
		-Wl,--whole-archive $(B)/libvrfcore.a -Wl,--no-whole-archive $(LDLIBS)

$(B)/plugins/%.so: plugins/ext/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libmnl)

$(B)/tests/%: tests/unit/%.c $(B)/libvrfcore.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		-Wl,--whole-archive $(B)/libvrfcore.a -Wl,--no-whole-archive $(LDLIBS)

# Helpers the integration tests run (the flood sender); no core code.
$(B)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

deps:
	@sh tests/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) SANITIZE=1 all
	sh tests/run.sh

demo: deps
	$(MAKE) all
	sh tests/demo.sh

bench: deps
	$(MAKE) all
	sh tests/bench/run.sh $(BENCH_ARGS)

FUZZ_SECONDS ?= 60
fuzz: deps
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-DVRF_VERSION='"$(VERSION)"' -DVRF_PLUGIN_DIR='"$(LIBDIR)/vrfmgr/plugins"' \
		-Ivrfmgr $(shell pkg-config --cflags $(PKGS)) \
		-o build-fuzz/fuzz-config tests/fuzz/fuzz-config.c $(CORE_SRC) $(LDLIBS)
	mkdir -p build-fuzz/corpus
	build-fuzz/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		build-fuzz/corpus tests/fuzz/corpus

install: $(BIN) $(EXT_SO)
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/vrfmgr
	install -D -m 0644 docs/vrfmgr.8 $(DESTDIR)$(MANDIR)/man8/vrfmgr.8
	install -D -m 0644 docs/vrfmgr.ini.5 $(DESTDIR)$(MANDIR)/man5/vrfmgr.ini.5
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/vrfmgr|$(SBINDIR)/vrfmgr|g' conf/vrfmgr.service \
		>$(DESTDIR)$(UNITDIR)/vrfmgr.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vrfmgr.service
	install -D -m 0644 conf/rt_protos.d/vrfmgr.conf \
		$(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/vrfmgr.conf
	install -D -m 0644 conf/vrfmgr.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/vrfmgr
	install -d $(DESTDIR)$(LIBDIR)/vrfmgr/plugins
	for so in $(EXT_SO); do install -m 0755 $$so $(DESTDIR)$(LIBDIR)/vrfmgr/plugins/; done

clean:
	rm -rf build build-san build-fuzz vrfmgr/vrfmgr

.PHONY: all deps check demo bench fuzz install clean
