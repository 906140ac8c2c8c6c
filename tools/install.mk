# make install / make uninstall: p3 as a Unix tool.
#
#   make install                     build p3, then install it under /usr/local
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#                                    stage a package's tree (DESTDIR is
#                                    prepended to every path, PREFIX is what
#                                    the installed files will see)
#   make install P3=path/to/p3       install that binary as it is, building
#                                    nothing (the install test does this)
#   make uninstall [PREFIX=...] [DESTDIR=...]
#                                    remove exactly the files install put there
#                                    (the same PREFIX and DESTDIR)
#
# Installed: the binary, the manual page p3(1) and the bash completion. p3
# looks nothing up in the source tree (its schemas are compiled in), so
# these three files are the whole installation.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Where bash-completion loads completions from on demand.
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions

# The binary to install. Given on the command line it is taken as it is;
# otherwise it is this build's, made first if it is out of date.
P3 ?= $(BUILD)/p3
INSTALL ?= install

.PHONY: install uninstall

install: $(if $(filter command line,$(origin P3)),,$(P3))
	$(say) INSTALL $(DESTDIR)$(PREFIX)
	$(Q)test -f '$(P3)' || { echo "p3: no binary at $(P3): build it first (make)" >&2; exit 1; }
	$(Q)$(INSTALL) -D -m 755 '$(P3)' '$(DESTDIR)$(BINDIR)/p3'
	$(Q)$(INSTALL) -D -m 644 doc/p3.1 '$(DESTDIR)$(MANDIR)/man1/p3.1'
	$(Q)$(INSTALL) -D -m 644 tools/p3.bash-completion '$(DESTDIR)$(BASH_COMPLETION_DIR)/p3'

# Removes the three files, nothing else: the folders stay, as they may be
# the system's own (/usr/local/bin) or hold other programs' files (GNU's
# convention).
uninstall:
	$(say) UNINST $(DESTDIR)$(PREFIX)
	$(Q)rm -f '$(DESTDIR)$(BINDIR)/p3' '$(DESTDIR)$(MANDIR)/man1/p3.1' \
	  '$(DESTDIR)$(BASH_COMPLETION_DIR)/p3'
