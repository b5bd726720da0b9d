# vrfmgr — routing domains from one INI file.
#
#   make            build vrfmgr/vrfmgr (and the external plugins)
#   make check      install build/test packages if missing, build, run every test
#   make demo       build, then plan/apply/audit vrfmgr.ini.example in a sandbox
#   make bench      benchmark against the shell baseline (see docs/performance.md)
#   make fuzz       run every fuzz target (tests/fuzz/fuzz-*.c) for FUZZ_SECONDS each
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
REPLAY_BIN := $(patsubst tests/fuzz/fuzz-%.c,$(B)/fuzz/replay-%,$(wildcard tests/fuzz/fuzz-*.c)) \
	      $(B)/fuzz/nl-seeds
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRC))
HDRS     := $(wildcard vrfmgr/*.h plugins/*.h)

all: $(BIN) $(EXT_SO) $(UNIT_BIN) $(TOOL_BIN) $(REPLAY_BIN)

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

# The fuzz targets without libFuzzer, for tests/unit/fuzz-replay.sh.
$(B)/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c $(B)/libvrfcore.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		-Wl,--whole-archive $(B)/libvrfcore.a -Wl,--no-whole-archive $(LDLIBS)

$(B)/fuzz/nl-seeds: tests/fuzz/nl-seeds.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libmnl)

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

# libFuzzer targets, one per tests/fuzz/fuzz-NAME.c: the core is built
# once with coverage and sanitizers, each target links against it and runs
# for FUZZ_SECONDS on its seeds (tests/fuzz/corpus-NAME, or what
# tests/fuzz/nl-seeds.c writes for nlmsg), keeping new inputs in
# build-fuzz/corpus-NAME and what fails in build-fuzz/found-NAME.  Every
# target runs even after one found something; then make fails.
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -D_GNU_SOURCE \
	-DVRF_VERSION='"$(VERSION)"' -DVRF_PLUGIN_DIR='"$(LIBDIR)/vrfmgr/plugins"' \
	-Ivrfmgr $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJ := $(patsubst %.c,build-fuzz/%.o,$(CORE_SRC))

build-fuzz/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJ) $(HDRS)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

build-fuzz/seeds-nlmsg: $(B)/fuzz/nl-seeds
	@mkdir -p $@
	$(B)/fuzz/nl-seeds $@

fuzz-build: $(patsubst %,build-fuzz/fuzz-%,$(FUZZ_NAMES)) build-fuzz/seeds-nlmsg

fuzz: deps
	$(MAKE) fuzz-build
	@failed=; for t in $(FUZZ_NAMES); do \
		case $$t in \
		config) seeds=tests/fuzz/corpus ;; \
		nlmsg) seeds=build-fuzz/seeds-nlmsg ;; \
		*) seeds=tests/fuzz/corpus-$$t ;; \
		esac; \
		mkdir -p build-fuzz/corpus-$$t build-fuzz/found-$$t; \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
		build-fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=build-fuzz/found-$$t/ \
			build-fuzz/corpus-$$t $$seeds || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (build-fuzz/found-*)"; exit 1; fi

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

.PHONY: all deps check demo bench fuzz fuzz-build install clean
