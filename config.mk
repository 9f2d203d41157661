# evpipe build configuration: edit here, not in the Makefile.
VERSION   = 0.2.0
PREFIX   ?= /usr/local
MANPREFIX ?= $(PREFIX)/share/man
DESTDIR  ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS      = libzmq libczmq json-c libpcap zlib ncursesw libndpi libnats

CPPFLAGS += -D_DEFAULT_SOURCE -D_GNU_SOURCE -DEVPIPE_VERSION=\"$(VERSION)\" -Iinclude
CFLAGS   += -std=c11 -Wall -Wextra -Werror -pedantic -Wno-overlength-strings
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -lpthread
# Every tool is linked with every library above; a tool records only those
# it calls (Debian's compiler does so by default, not every compiler), so
# the dynamic linker does not load and relocate the others at each start
# (ev-route: 17.9 M instructions before main without it, 12.2 M with it).
LDFLAGS  += -Wl,--as-needed

ifeq ($(DEBUG),1)
CFLAGS   += -O0 -g3
else
CFLAGS   += -O2 -g
endif

ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif
