# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# hwqnic: the one entry point.
#   make [all]   build everything that exists (hwqnic.ko when Debian's kernel
#                headers are installed)
#   make check   install missing Debian packages, then run every test under
#                prove: ASan+UBSan builds, valgrind, the kernel build
#   make deps    install the Debian packages the build and the tests need
#   make demo    the main job (arrives with the BPF tooling; says so for now)
#   make clean

BUILD	?= build
V	?= 0
Q	:= $(if $(filter 1,$(V)),,@)

WARN	:= -Wall -Wextra -Werror
BASE	:= -std=c11 -D_GNU_SOURCE -Iinclude -Ikmod/core $(WARN) -MMD -MP
OPT_release := -O2 -g
OPT_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	    -fno-sanitize-recover=all
LD_asan	:= -fsanitize=address,undefined
VARIANTS := release asan

# Debian packages: build and test. `make deps` installs those missing.
DEB_PKGS := gcc make libc6-dev linux-libc-dev perl valgrind \
	    linux-headers-amd64

CORE_SRCS  := $(addprefix kmod/core/,pbl.c hwq.c osdep_user.c)
CORE_TESTS := $(patsubst %.c,%,$(wildcard selftests/core/*.c))

# The newest Debian kernel build tree installed; never a fixed version.
KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible

.PHONY: all check deps demo kmod clean
.DEFAULT_GOAL := all
.SECONDARY:

all: $(foreach v,$(VARIANTS),$(BUILD)/$(v)/libhwqnic-core.a) \
     $(CORE_TESTS:%=$(BUILD)/release/%.t) kmod

define variant
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(BASE) $$(OPT_$(1)) $$(CFLAGS) -c $$< -o $$@

$(BUILD)/$(1)/libhwqnic-core.a: $(CORE_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(Q)$$(AR) rcs $$@ $$^

$(BUILD)/$(1)/selftests/%.t: $(BUILD)/$(1)/selftests/%.o $(BUILD)/$(1)/libhwqnic-core.a
	$$(Q)$$(CC) $$(OPT_$(1)) $$(LD_$(1)) $$(LDFLAGS) $$^ -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call variant,$(v))))

# Each valgrind test is a script that runs the release binary under valgrind.
$(BUILD)/valgrind/selftests/%.t: $(BUILD)/release/selftests/%.t
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(VALGRIND)' '$(abspath $<)' > $@
	$(Q)chmod +x $@

kmod:
	$(Q)if [ -z "$(KDIR)" ]; then \
		echo "kmod: no Debian kernel headers (make deps installs linux-headers-amd64); hwqnic.ko not built"; \
	else \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod W=1 modules; \
	fi

TEST_BINS := $(CORE_TESTS:%=$(BUILD)/asan/%.t) \
	     $(CORE_TESTS:%=$(BUILD)/valgrind/%.t)
TESTS := $(TEST_BINS) selftests/kmod/build.t

check: deps
	$(Q)$(MAKE) --no-print-directory $(TEST_BINS)
	$(Q)KDIR=$(KDIR) prove --exec '' $(TESTS)

deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make deps: missing Debian packages:" $$missing; \
		echo "make deps: run as root, or: apt-get install" $$missing; \
		exit 1; \
	fi; \
	echo "make deps: installing" $$missing; \
	apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

demo:
	@echo "make demo: the traced demo workload arrives with the BPF tooling;"
	@echo "make demo: today 'make check' builds the core and runs its tests."
	@exit 1

clean:
	rm -rf $(BUILD)
	$(Q)if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean; fi

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
