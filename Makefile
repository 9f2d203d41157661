# evpipe: one hand-written Makefile. Tools are cmd/NAME.c, shared code is
# common/*.c in a static library, unit tests are tests/unit/test_*.c.
# Everything is built under $(BUILD) so several builds can coexist.
include config.mk

BUILD   ?= build
# make V=1 shows the full command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif
PKGCFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
CPPFLAGS += $(PKGCFLAGS)

CMDS    := $(basename $(notdir $(wildcard cmd/*.c)))
LIBSRC  := $(wildcard common/*.c)
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
UNITSRC := $(wildcard tests/unit/test_*.c)
BINS    := $(CMDS:%=$(BUILD)/bin/%)
UNITS   := $(UNITSRC:tests/unit/%.c=$(BUILD)/unit/%)
LIB     := $(BUILD)/libevpipe.a
MAN1    := $(wildcard man/*.1)
MAN7    := $(wildcard man/*.7)

.SECONDARY:

# Test programs built beside the tools: tests/oracle/NAME.c.
ORACLES := $(patsubst tests/oracle/%.c,$(BUILD)/oracle/%,$(wildcard tests/oracle/*.c))

.PHONY: all deps test unit cli demo bench fuzz memcheck install uninstall clean lint

all: $(BINS) $(ORACLES)

# Every object depends on config.mk: it holds the flags and the version.
$(BUILD)/%.o: %.c config.mk
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  CC      $<" || true
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# nDPI's headers use GNU variadic macros, which -pedantic rejects: only
# the module that includes them is built with that one warning off.
$(BUILD)/common/dpi.o: CFLAGS += -Wno-variadic-macros

$(LIB): $(LIBOBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $(LIBOBJ)

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(LIB)
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# evpipe runs the stages' own main()s as threads: each is compiled once
# more with main renamed chain_main_NAME and linked into it.
CHAINTOOLS := zmq-ingest pcap-ingest ev-route flow-agg ev-show
CHAINOBJ   := $(CHAINTOOLS:%=$(BUILD)/chain/%.o)

$(BUILD)/chain/%.o: cmd/%.c config.mk
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  CC      $< (chain)" || true
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Dmain=chain_main_$(subst -,_,$*) -MMD -MP -c $< -o $@

$(BUILD)/bin/evpipe: $(BUILD)/cmd/evpipe.o $(CHAINOBJ) $(LIB)
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CHAINOBJ) $(LIB) $(LDLIBS)

$(BUILD)/oracle/%: $(BUILD)/tests/oracle/%.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Installs the Debian packages the build and the tests need, when missing.
deps:
	@sh .ci/deps

unit: $(UNITS)
	@sh tests/run-unit $(UNITS)

cli: all
	@EVPIPE_BIN=$(abspath $(BUILD))/bin bats tests/cli

# tests/lint-bats first: a negated command bats cannot see fail is a test
# that cannot fail.
test: deps
	@sh tests/lint-bats
	@sh tests/lint-keys
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory cli

demo: deps
	@$(MAKE) --no-print-directory all
	@EVPIPE_BIN=$(abspath $(BUILD))/bin sh pipelines/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@EVPIPE_BIN=$(abspath $(BUILD))/bin sh tests/bench/run.sh

fuzz:
	@sh tests/fuzz/run $(FUZZ_SECONDS)

memcheck: all
	@EVPIPE_BIN=$(abspath $(BUILD))/bin sh tests/memcheck

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)
	@sh tests/lint-bats
	@sh tests/lint-keys

# bash-completion loads a command's completion from a file of its name:
# one file, evpipe, and a link to it for every other tool.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(MANPREFIX)/man7 $(DESTDIR)$(PREFIX)/share/evpipe/pipelines
	cp -f $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -f $(MAN1) $(DESTDIR)$(MANPREFIX)/man1/
	cp -f $(MAN7) $(DESTDIR)$(MANPREFIX)/man7/
	cp -rf pipelines/. $(DESTDIR)$(PREFIX)/share/evpipe/pipelines/
	mkdir -p $(DESTDIR)$(BASHCOMPDIR)
	cp -f completion/evpipe.bash $(DESTDIR)$(BASHCOMPDIR)/evpipe
	for c in $(CMDS); do [ $$c = evpipe ] || \
		ln -sf evpipe $(DESTDIR)$(BASHCOMPDIR)/$$c; done

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$c; done
	for m in $(notdir $(MAN1)); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$$m; done
	for m in $(notdir $(MAN7)); do rm -f $(DESTDIR)$(MANPREFIX)/man7/$$m; done
	rm -rf $(DESTDIR)$(PREFIX)/share/evpipe
	for c in $(CMDS); do rm -f $(DESTDIR)$(BASHCOMPDIR)/$$c; done

clean:
	rm -rf $(BUILD)

-include $(CHAINOBJ:.o=.d) $(LIBOBJ:.o=.d) $(BINS:$(BUILD)/bin/%=$(BUILD)/cmd/%.d) $(UNITS:$(BUILD)/unit/%=$(BUILD)/tests/unit/%.d) $(ORACLES:$(BUILD)/oracle/%=$(BUILD)/tests/oracle/%.d)
