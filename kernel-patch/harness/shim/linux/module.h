/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/module.h>. */
#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H

#include <linux/compiler_types.h>

#define MODULE_IMPORT_NS(ns) \
	static const char __maybe_unused harness_import_ns_##ns[] = #ns

#endif
