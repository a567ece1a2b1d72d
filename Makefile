# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# hwqnic: the one entry point.
#   make [all]   build everything that exists (hwqnic.ko when Debian's kernel
#                headers are installed)
#   make check   install missing Debian packages, then run every test under
#                prove: ASan+UBSan builds, valgrind, the kernel build
#   make deps    install the Debian packages the build and the tests need
#   make demo    the main job: a mixed workload traced by qplat, for
#                DEMO_SECONDS (default 20) to watch with nictop; installs
#                only the packages in DEMO_PKGS
#   make bench   hwqperf's headline benchmarks, each with its same-run baseline
#   make regress the default hwqregress suite; REGRESS_BASE=FILE judges it
#                against an earlier run (docs/regress.md)
#   make fuzz    every libFuzzer target for FUZZ_SECONDS (default 300) each
#   make install PREFIX=/usr/local DESTDIR=   (docs/install.md)
#   make uninstall                            the same PREFIX, DESTDIR
#   make dkms-install   hwqnic.ko's sources to /usr/src for DKMS (docs/kmod.md)
#   make clean

BUILD	?= build
PREFIX	?= /usr/local
VERSION	:= 0.1.0
V	?= 0
Q	:= $(if $(filter 1,$(V)),,@)

WARN	:= -Wall -Wextra -Werror
# hwqnic's one version: the tools print it (-V) and their JSON carries it.
BASE	:= -std=c11 -D_GNU_SOURCE -Iinclude -Ikmod/core -Iuser -I$(BUILD)/bpf -Ibpf \
	   -Itools -DHWQNIC_VERSION='"$(VERSION)"' $(WARN) -MMD -MP
OPT_release := -O2 -g -fPIC
OPT_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	    -fno-sanitize-recover=all
LD_asan	:= -fsanitize=address,undefined
VARIANTS := release asan

# Debian packages: build and test. `make deps` installs those missing, and
# the kernel image that matches the newest headers (tools/deps.sh).
DEB_PKGS := gcc make libc6-dev linux-libc-dev perl valgrind \
	    systemtap-sdt-dev python3 linux-headers-amd64 \
	    clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
	    libncurses-dev tmux qemu-system-x86 busybox-static cpio \
	    libclang-rt-14-dev g++ groff-base man-db pkg-config dkms tshark \
	    libxdp-dev iproute2 ibverbs-utils ibverbs-providers perftest \
	    libibverbs-dev
# What `make demo` needs: the library, the BPF objects and the tools it
# runs (hwqload, qplat, nictop); no qemu, valgrind or kernel image.
DEMO_PKGS := gcc make libc6-dev linux-libc-dev systemtap-sdt-dev \
	     clang libbpf-dev bpftool libelf-dev zlib1g-dev libncurses-dev \
	     libxdp-dev
DEMO_BINS := $(addprefix $(BUILD)/bin/,hwqload qplat nictop)

LIB_SRCS := $(addprefix kmod/core/,pbl.c hwq.c dev.c mr.c cq.c qp.c \
	      opcode.c engine.c ioc.c pkt.c icrc.c req.c resp.c comp.c ah.c \
	      osdep_user.c) \
	    $(addprefix user/,device.c verbs.c embedded.c kernel.c stats.c \
	      statsfile.c names.c netdev.c port_bind.c port_xdp.c port_udp.c)
# libxdp for the AF_XDP port's sockets, libbpf for its XDP program
LIBS	:= -lxdp -lbpf -lpthread -lm
# What a static link adds for them (the BPF tools link statically)
STATIC_LIBS := -lelf -lz
TESTS_C	:= $(patsubst %.c,%,$(filter-out %.bpf.c,$(wildcard selftests/core/*.c \
		selftests/verbs/*.c selftests/uapi/*.c selftests/tools/*.c \
		selftests/net/*.c)))
# What the C tests share (selftests/lib/*.c): one archive per variant that
# every C test links (and the fuzz targets, compiled their way).
TESTS_LIB_SRCS := $(wildcard selftests/lib/*.c)
# A tool is one file, tools/X.c, or a folder, tools/X/ with its main.c and
# the other .c files and private headers it needs; tools/lib is no tool.
TOOL_DIRS := $(filter-out lib,$(patsubst tools/%/main.c,%,\
		$(wildcard tools/*/main.c)))
TOOLS	:= $(patsubst tools/%.c,%,$(wildcard tools/*.c)) $(TOOL_DIRS)
# The objects of tool $(1)
tool_objs = $(patsubst %.c,$(BUILD)/release/%.o,$(if $(filter $(1),\
	    $(TOOL_DIRS)),$(wildcard tools/$(1)/*.c),tools/$(1).c))
# What tool X links besides libtools, libhwqnic and LIBS: TOOL_LIBS_X
TOOL_LIBS_nictop := -lncursesw -lbpf
# What the tools share (tools/lib/*.c), one archive that every tool links.
TOOLS_LIB_SRCS := $(wildcard tools/lib/*.c)
TOOLS_LIB := $(BUILD)/release/libtools.a

# BPF: bpf/X.bpf.c -> bpf/X.bpf.o (bpftool loads it) -> X.skel.h; a tool
# X (tools/X.c or tools/X/) with a bpf/X.bpf.c of the same name is a BPF
# tool, linked statically against libbpf (it also runs in the qemu
# initramfs).
CLANG	?= clang
BPFTOOL	?= bpftool
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:.c=.o)
# the layouts of their maps, for programs that read them (make install)
BPF_LAYOUTS := bpf/qplat.h bpf/roce_steer.h
# The net tests' own programs (tc impairments), loaded by tc(8).
NET_BPF_OBJS := $(patsubst %.c,%.o,$(wildcard selftests/net/*.bpf.c))
BPF_TOOLS := $(filter $(TOOLS),$(patsubst bpf/%.bpf.c,%,$(BPF_SRCS)))
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	      -I$(BUILD)/bpf -Iinclude -Ibpf -I/usr/include/$(shell gcc -dumpmachine)

# The newest Debian kernel build tree installed; never a fixed version.
KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
# The release of the kernel KDIR builds for (its /lib/modules/ name).
KVER ?= $(if $(KDIR),$(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	  $(KDIR)/include/generated/utsrelease.h 2>/dev/null))

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible

# The qemu guest's one-sided check against rdma_rxe (guest-net.sh): a
# libibverbs program, built when rdma-core's headers are there.
RXE_VERBS := $(if $(wildcard /usr/include/infiniband/verbs.h),\
	     $(BUILD)/release/selftests/kmod/rxe-verbs)

# tools/bench/X.c -> build/bench/X (their rule is with the tools')
BENCH_PROGS := $(patsubst tools/bench/%.c,$(BUILD)/bench/%,$(wildcard tools/bench/*.c))

# The BPF tests' workloads: selftests/bpf/X.c -> build/release/selftests/bpf/X
# (a test helper, not a test; the qemu guest runs them too).
BPF_TEST_PROGS := $(patsubst %.c,$(BUILD)/release/%,$(wildcard selftests/bpf/*.c))

.PHONY: all lib examples check deps demo bench regress fuzz install uninstall dkms-install kmod clean
comma	:= ,
.DEFAULT_GOAL := all
.SECONDARY:

all: lib $(BPF_OBJS) $(NET_BPF_OBJS) $(TOOLS:%=$(BUILD)/bin/%) $(BENCH_PROGS) $(BUILD)/bin/hwqregress $(TESTS_C:%=$(BUILD)/release/%.t) \
     $(BPF_TEST_PROGS) examples kmod $(RXE_VERBS)

lib: $(foreach v,$(VARIANTS),$(BUILD)/$(v)/libhwqnic.a) \
     $(BUILD)/release/libhwqnic.so $(BUILD)/pkgconfig/libhwqnic-uninstalled.pc

define variant
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(BASE) $$(OPT_$(1)) $$(CFLAGS) -c $$< -o $$@

$(BUILD)/$(1)/libhwqnic.a: $(LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^

$(BUILD)/$(1)/libselftests.a: $(TESTS_LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^

$(BUILD)/$(1)/libtools.a: $(TOOLS_LIB_SRCS:%.c=$(BUILD)/$(1)/%.o)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^

# The tests' helpers walk QPs with the tools' rig: libtools.a follows.
$(BUILD)/$(1)/selftests/%.t: $(BUILD)/$(1)/selftests/%.o \
		$(BUILD)/$(1)/libselftests.a $(BUILD)/$(1)/libtools.a \
		$(BUILD)/$(1)/libhwqnic.a
	$$(Q)$$(CC) $$(OPT_$(1)) $$(LD_$(1)) $$(LDFLAGS) $$^ $(LIBS) -o $$@

# The tests of tools/lib also link libbpf, for what reads BPF maps.
$(BUILD)/$(1)/selftests/tools/%.t: $(BUILD)/$(1)/selftests/tools/%.o \
		$(BUILD)/$(1)/libselftests.a $(BUILD)/$(1)/libtools.a \
		$(BUILD)/$(1)/libhwqnic.a
	$$(Q)$$(CC) $$(OPT_$(1)) $$(LD_$(1)) $$(LDFLAGS) $$^ -lbpf -lelf $(LIBS) -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call variant,$(v))))

$(BUILD)/release/libhwqnic.so: $(LIB_SRCS:%.c=$(BUILD)/release/%.o) user/libhwqnic.map
	$(Q)$(CC) -shared -Wl,-soname,libhwqnic.so.1 \
		-Wl,--version-script=user/libhwqnic.map \
		$(filter %.o,$^) $(LIBS) -o $@.1
	$(Q)ln -sf libhwqnic.so.1 $@

# libhwqnic.pc: $(call pc,PREFIX,INCLUDEDIR,LIBDIR,EXTRA_LIBS) > FILE. The
# installed one is written by `make install`, for the PREFIX it installs
# to; the build tree's (-uninstalled, which pkg-config prefers) is for the
# examples built here, run from here (rpath).
pc = sed -e 's|@PREFIX@|$(1)|' -e 's|@INCLUDEDIR@|$(2)|' -e 's|@LIBDIR@|$(3)|' \
	 -e 's|@EXTRA_LIBS@|$(4)|' -e 's|@VERSION@|$(VERSION)|' user/libhwqnic.pc.in

$(BUILD)/pkgconfig/libhwqnic-uninstalled.pc: user/libhwqnic.pc.in Makefile
	@mkdir -p $(@D)
	$(Q)$(call pc,$(CURDIR),$${prefix}/include,$(abspath $(BUILD))/release,\
		-Wl$(comma)-rpath$(comma)$${libdir}) > $@

# The examples, built by their own Makefile through pkg-config, as a user
# builds them, against the build tree's libhwqnic.
EXAMPLES := $(patsubst examples/%.c,%,$(wildcard examples/*.c))
examples: $(BUILD)/release/libhwqnic.so $(BUILD)/pkgconfig/libhwqnic-uninstalled.pc
	$(Q)PKG_CONFIG_PATH=$(abspath $(BUILD))/pkgconfig $(MAKE) \
		--no-print-directory -s -C examples O=$(abspath $(BUILD))/examples \
		CFLAGS='-O2 -g $(WARN) -MMD -MP'

# The running kernel's types, or the UAPI stand-in where it has no BTF.
$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(@D)
	$(Q)if [ -r /sys/kernel/btf/vmlinux ] && \
	    $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp; then \
		mv $@.tmp $@; \
	else \
		echo "vmlinux.h: no kernel BTF; using bpf/vmlinux_fallback.h"; \
		rm -f $@.tmp; cp bpf/vmlinux_fallback.h $@; \
	fi

bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/hwqnic/hw.h \
		$(BUILD)/bpf/vmlinux.h
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

selftests/net/%.bpf.o: selftests/net/%.bpf.c
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: bpf/%.bpf.o
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The AF_XDP port carries its XDP program in the library, as a skeleton.
$(foreach v,$(VARIANTS),$(BUILD)/$(v)/user/port_xdp.o) \
$(BUILD)/fuzz/obj/user/port_xdp.o: $(BUILD)/bpf/roce_steer.skel.h

# Each tool, from one file or a folder. A BPF tool's objects include its
# skeleton, and it links statically against libbpf (it also runs in the
# qemu initramfs).
define tool
$(BUILD)/bin/$(1): $(call tool_objs,$(1)) $(TOOLS_LIB) \
		$(BUILD)/release/libhwqnic.a
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $(if $(filter $(1),$(BPF_TOOLS)),-static,$$(OPT_release)) \
		$$(LDFLAGS) $$^ $$(TOOL_LIBS_$(1)) $$(LIBS) \
		$(if $(filter $(1),$(BPF_TOOLS)),$$(STATIC_LIBS)) -o $$@
$(if $(filter $(1),$(BPF_TOOLS)),$(call tool_objs,$(1)): $(BUILD)/bpf/$(1).skel.h)
endef
$(foreach t,$(TOOLS),$(eval $(call tool,$(t))))

# The bench's own programs (BENCH_PROGS, before `all`): built like a
# tool, never installed; make bench and the net tests run them.
$(BENCH_PROGS): $(BUILD)/bench/%: $(BUILD)/release/tools/bench/%.o $(TOOLS_LIB) \
		$(BUILD)/release/libhwqnic.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(OPT_release) $(LDFLAGS) $^ $(LIBS) -o $@

# Each valgrind test is a script that runs the release binary under valgrind,
# with HWQNIC_TEST_QUICK=1 asking the long tests for a hundredth of the work.
$(BUILD)/valgrind/selftests/%.t: $(BUILD)/release/selftests/%.t
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nHWQNIC_TEST_QUICK=1 exec %s %s "$$@"\n' '$(VALGRIND)' '$(abspath $<)' > $@
	$(Q)chmod +x $@

# libFuzzer targets: selftests/fuzz/X.c -> $(BUILD)/fuzz/X, built by clang
# with ASan+UBSan and linked against the library compiled with coverage.
FUZZ_CC	?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# clang 14 warns of fields left out of designated initialisers; gcc, rightly, not.
FUZZ_CFLAGS := $(BASE) -Wno-missing-field-initializers -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_TARGETS := $(patsubst selftests/fuzz/%.c,$(BUILD)/fuzz/%,\
		$(wildcard selftests/fuzz/*.c))

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/libhwqnic.a: $(LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/libtools.a: $(TOOLS_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/libselftests.a: $(TESTS_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_TARGETS): $(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/selftests/fuzz/%.o \
		$(BUILD)/fuzz/libselftests.a $(BUILD)/fuzz/libtools.a \
		$(BUILD)/fuzz/libhwqnic.a
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(LIBS) -o $@

# Statically linked to libhwqnic, so that qplat -p finds its probes.
$(BPF_TEST_PROGS): $(BUILD)/release/%: $(BUILD)/release/%.o \
		$(BUILD)/release/libtools.a $(BUILD)/release/libhwqnic.a
	$(Q)$(CC) $(OPT_release) $(LDFLAGS) $^ $(LIBS) -o $@

# The qemu guest's one-sided check against rdma_rxe (RXE_VERBS)
$(BUILD)/release/selftests/kmod/rxe-verbs: \
		$(BUILD)/release/selftests/kmod/rxe-verbs.o \
		$(BUILD)/release/libtools.a $(BUILD)/release/libhwqnic.a
	$(Q)$(CC) $(OPT_release) $(LDFLAGS) $^ -libverbs $(LIBS) -o $@

# hwqnic.ko and the test module that uses its exported verbs.
kmod:
	$(Q)if [ -z "$(KDIR)" ]; then \
		echo "kmod: no Debian kernel headers (make deps installs linux-headers-amd64); hwqnic.ko not built"; \
	else \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod W=1 modules && \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kmod W=1 \
			KBUILD_EXTRA_SYMBOLS=$(CURDIR)/kmod/Module.symvers modules; \
	fi

TEST_BINS := $(TESTS_C:%=$(BUILD)/asan/%.t) \
	     $(TESTS_C:%=$(BUILD)/valgrind/%.t)
TESTS := $(TEST_BINS) selftests/kmod/build.t selftests/kmod/watch.t \
	 selftests/kmod/run-qemu.sh \
	 $(wildcard selftests/bpf/*.t) $(wildcard selftests/tools/*.t) \
	 $(wildcard selftests/verbs/*.t) $(wildcard selftests/install/*.t) \
	 $(wildcard selftests/net/*.t) selftests/fuzz/run.t

check: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BINS) $(FUZZ_TARGETS)
	$(Q)KDIR=$(KDIR) prove --exec '' $(TESTS)

deps:
	$(Q)DEB_PKGS="$(DEB_PKGS)" tools/deps.sh

demo:
	$(Q)DEB_PKGS="$(DEMO_PKGS)" DEPS_KERNEL=0 tools/deps.sh
	$(Q)$(MAKE) --no-print-directory $(if $(Q),-s) $(DEMO_BINS)
	$(Q)BUILD=$(BUILD) tools/demo.sh

# Headline figures, each printed with its same-run baseline (never asserted).
bench: $(BUILD)/bin/hwqperf $(BUILD)/bin/probecost $(BUILD)/bin/qplat \
       $(BUILD)/bin/hwqpingpong $(BENCH_PROGS) $(NET_BPF_OBJS)
	$(BUILD)/bin/hwqperf lat --op send -s 8 -n 200000
	$(BUILD)/bin/hwqperf bw --op write -s 64 -n 4000000 --cq-mod 64
	$(BUILD)/bin/hwqperf bw --op write -s 64K -n 50000 --cq-mod 16
	BUILD=$(BUILD) tools/bench-qplat.sh
	BUILD=$(BUILD) tools/bench-wire.sh

# hwqregress is Python: the build writes in the version and the flags the
# tools are built with, which its result files carry (docs/regress.md).
$(BUILD)/bin/hwqregress: tools/hwqregress/hwqregress.py include/hwqnic/abi.h Makefile
	$(Q)mkdir -p $(@D)
	$(Q)sed -e 's|@VERSION@|$(VERSION)|' -e "s|@ABI_VERSION@|$$(sed -n \
		's/^#define HWQNIC_ABI_VERSION[[:space:]]*//p' include/hwqnic/abi.h)|" \
		-e 's|@BUILD_FLAGS@|$(strip $(OPT_release) $(CFLAGS))|' $< > $@.tmp
	$(Q)chmod 755 $@.tmp && mv $@.tmp $@

# The default suite, REGRESS_RUNS runs each, into $(BUILD)/regress/new.json;
# judged against REGRESS_BASE (an earlier run's file) when it is given.
REGRESS_RUNS ?= 10
regress: $(BUILD)/bin/hwqperf $(BUILD)/bin/probecost $(BUILD)/bin/hwqregress
	$(Q)mkdir -p $(BUILD)/regress
	$(BUILD)/bin/hwqregress run -n $(REGRESS_RUNS) -o $(BUILD)/regress/new.json
	$(if $(REGRESS_BASE),$(BUILD)/bin/hwqregress compare $(REGRESS_BASE) \
		$(BUILD)/regress/new.json)

# Each target runs FUZZ_SECONDS on its corpus, kept in $(BUILD)/fuzz/corpus.
fuzz: $(FUZZ_TARGETS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$${FUZZ_SECONDS:-300} \
		FUZZ_KEEP=1 selftests/fuzz/run.t

# Where `make install` puts things (docs/install.md).
LIBDIR	:= $(PREFIX)/lib
BPFDIR	:= $(LIBDIR)/hwqnic/bpf
MANDIR	:= $(PREFIX)/share/man
DOCDIR	:= $(PREFIX)/share/doc/hwqnic
DEPMOD_B := $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH))
COMPDIR	:= $(PREFIX)/share/bash-completion/completions
# INSTALL_MOD_PATH: as with the kernel's modules_install, a root for
# /lib/modules that depmod is then told of (-b).
MODDIR	:= $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra
MAN_SECTIONS := $(sort $(patsubst .%,%,$(suffix $(wildcard docs/man/*.[0-9]))))

# The library, then hwqnic.ko when it was built (depmod unless staged in a
# DESTDIR, where the package's own scripts run it), then, as meson's install
# does, ldconfig when root installs for real, and a hint when ld.so will
# not find the library by itself.
install: lib examples $(BPF_OBJS) $(TOOLS:%=$(BUILD)/bin/%) $(BUILD)/bin/hwqregress
	install -d $(DESTDIR)$(PREFIX)/include/hwqnic/bpf $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(BPFDIR) $(DESTDIR)$(COMPDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/LICENSES/exceptions \
		$(DESTDIR)$(DOCDIR)/docs \
		$(MAN_SECTIONS:%=$(DESTDIR)$(MANDIR)/man%)
	install -m 644 include/hwqnic/*.h $(DESTDIR)$(PREFIX)/include/hwqnic/
	install -m 644 $(BPF_LAYOUTS) $(DESTDIR)$(PREFIX)/include/hwqnic/bpf/
	install -m 644 $(BUILD)/release/libhwqnic.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/release/libhwqnic.so.1 $(DESTDIR)$(LIBDIR)/
	ln -sf libhwqnic.so.1 $(DESTDIR)$(LIBDIR)/libhwqnic.so
	$(call pc,$(PREFIX),$${prefix}/include,$${prefix}/lib,) \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libhwqnic.pc
	$(if $(TOOLS),install -m 755 $(TOOLS:%=$(BUILD)/bin/%) $(DESTDIR)$(PREFIX)/bin/)
	install -m 755 $(BUILD)/bin/hwqregress $(DESTDIR)$(PREFIX)/bin/
	$(if $(BPF_OBJS),install -m 644 $(BPF_OBJS) $(DESTDIR)$(BPFDIR)/)
	$(foreach n,$(MAN_SECTIONS),install -m 644 $(wildcard docs/man/*.$(n)) \
		$(DESTDIR)$(MANDIR)/man$(n)/ &&) true
	install -m 644 examples/Makefile examples/*.[ch] $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 LICENSE README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 644 LICENSES/GPL-2.0 LICENSES/BSD-2-Clause $(DESTDIR)$(DOCDIR)/LICENSES/
	install -m 644 LICENSES/exceptions/* $(DESTDIR)$(DOCDIR)/LICENSES/exceptions/
	install -m 644 contrib/bash-completion/hwqnic $(DESTDIR)$(COMPDIR)/_hwqnic
	$(foreach t,$(TOOLS) hwqregress,ln -sf _hwqnic $(DESTDIR)$(COMPDIR)/$(t) &&) true
	$(Q)if [ -f kmod/hwqnic.ko ] && [ -n "$(KVER)" ]; then \
		echo "install -m 644 kmod/hwqnic.ko $(DESTDIR)$(MODDIR)/"; \
		install -D -m 644 kmod/hwqnic.ko $(DESTDIR)$(MODDIR)/hwqnic.ko && \
		if [ -z "$(DESTDIR)" ]; then \
			echo "depmod -a $(DEPMOD_B) $(KVER)"; depmod -a $(DEPMOD_B) $(KVER); \
		fi; \
	else \
		echo "install: hwqnic.ko not built (no kernel headers): not installed"; \
	fi
	$(Q)if [ -z "$(DESTDIR)" ]; then \
		if [ "$$(id -u)" = 0 ]; then echo ldconfig; ldconfig; fi; \
		if ! ldconfig -N -v 2> /dev/null | grep -q '^$(LIBDIR):'; then \
			echo "install: ld.so does not search $(LIBDIR): run programs with" \
			     "LD_LIBRARY_PATH=$(LIBDIR), or add $(LIBDIR) to" \
			     "/etc/ld.so.conf.d/hwqnic.conf and run ldconfig"; \
		fi; \
	fi

# What install put there, by the same names; the directories that are
# hwqnic's own go whole, shared ones (bin, man1, ...) stay.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libhwqnic.a $(DESTDIR)$(LIBDIR)/libhwqnic.so.1 \
		$(DESTDIR)$(LIBDIR)/libhwqnic.so $(DESTDIR)$(LIBDIR)/pkgconfig/libhwqnic.pc \
		$(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) $(DESTDIR)$(PREFIX)/bin/hwqregress \
		$(foreach f,$(wildcard docs/man/*.[0-9]),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f))) \
		$(DESTDIR)$(COMPDIR)/_hwqnic $(TOOLS:%=$(DESTDIR)$(COMPDIR)/%) \
		$(DESTDIR)$(COMPDIR)/hwqregress
	rm -rf $(DESTDIR)$(PREFIX)/include/hwqnic $(DESTDIR)$(LIBDIR)/hwqnic \
		$(DESTDIR)$(DOCDIR)
	$(Q)if [ -n "$(KVER)" ] && [ -f $(DESTDIR)$(MODDIR)/hwqnic.ko ]; then \
		echo "rm -f $(DESTDIR)$(MODDIR)/hwqnic.ko"; \
		rm -f $(DESTDIR)$(MODDIR)/hwqnic.ko && \
		if [ -z "$(DESTDIR)" ]; then \
			echo "depmod -a $(DEPMOD_B) $(KVER)"; depmod -a $(DEPMOD_B) $(KVER); \
		fi; \
	fi
	$(Q)if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then echo ldconfig; ldconfig; fi

# hwqnic.ko's sources, as DKMS builds them for each installed kernel
# (dkms.conf; docs/kmod.md): to $(DESTDIR)/usr/src/hwqnic-$(VERSION), then,
# unless staged in a DESTDIR, added to DKMS and built and installed for
# $(KVER).
DKMS_SRC := /usr/src/hwqnic-$(VERSION)
dkms-install:
	install -d $(DESTDIR)$(DKMS_SRC)/kmod/core $(DESTDIR)$(DKMS_SRC)/include/hwqnic
	sed 's|@VERSION@|$(VERSION)|' dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	install -m 644 kmod/Kbuild kmod/*.[ch] $(DESTDIR)$(DKMS_SRC)/kmod/
	install -m 644 kmod/core/*.[ch] $(DESTDIR)$(DKMS_SRC)/kmod/core/
	install -m 644 include/hwqnic/*.h $(DESTDIR)$(DKMS_SRC)/include/hwqnic/
	install -m 644 LICENSE $(DESTDIR)$(DKMS_SRC)/
	cp -r LICENSES $(DESTDIR)$(DKMS_SRC)/
	$(Q)if [ -z "$(DESTDIR)" ]; then \
		set -x; dkms add hwqnic/$(VERSION) && \
		dkms install hwqnic/$(VERSION) $(if $(KVER),-k $(KVER)); \
	fi

clean:
	rm -rf $(BUILD) $(BPF_OBJS) $(NET_BPF_OBJS)
	$(Q)if [ -n "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean; \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kmod clean; \
	fi

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
