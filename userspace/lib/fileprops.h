/* SPDX-License-Identifier: MIT */
/*
 * fileprops.h - a file's IPE properties, from userspace.
 */
#ifndef IPECTL_FILEPROPS_H
#define IPECTL_FILEPROPS_H

#include <stdbool.h>
#include "dm.h"
#include "ipe_engine.h"

struct ipectl_file_props {
	struct ipe_eng_file_props props;
	struct ipe_eng_digest fsv;
	struct ipe_eng_digest dmv;
	unsigned char fsv_bytes[64];
	unsigned char dmv_bytes[64];
	char fsv_alg[16];
	char dmv_alg[128];
	bool overlay;
	bool dmv_unverified;	/* a verity table that does not check every read */
};

int ipectl_file_props(const char *path, struct ipectl_file_props *fp,
		      char *note, size_t notelen);

#endif /* IPECTL_FILEPROPS_H */
