/* SPDX-License-Identifier: MIT */
/*
 * dm.h - device-mapper: verity tables, the list of devices, the rescan.
 */
#ifndef IPECTL_DM_H
#define IPECTL_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipe_engine.h"

/* What a device's live table is, for IPE. */
enum ipectl_dmv_kind {
	IPECTL_DMV_TRUSTED,	/* one verity target that checks every read */
	IPECTL_DMV_UNCHECKED,	/* one verity target letting reads through */
	IPECTL_DMV_MULTI,	/* a verity target among others */
	IPECTL_DMV_UNREADABLE,	/* a table line the engine cannot parse */
};

/**
 * struct ipectl_dmv_dev - an active device with a verity target.
 * @name: its device-mapper name.
 * @kind: whether IPE gives it a root hash.
 * @root: the root hash and signature state from its table line (the
 *	first verity target's for IPECTL_DMV_MULTI).
 */
struct ipectl_dmv_dev {
	char name[128];
	enum ipectl_dmv_kind kind;
	struct ipe_eng_dmv_root root;
};

int ipectl_dm_verity_root(const char *name, dev_t dev,
			  struct ipe_eng_dmv_root *root);
int ipectl_dm_verity_devices(struct ipectl_dmv_dev **devs, size_t *n);
int ipectl_dm_verity_rescan(char *err, size_t errlen);

#endif /* IPECTL_DM_H */
