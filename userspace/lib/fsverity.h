/* SPDX-License-Identifier: MIT */
/*
 * fsverity.h - a file's fs-verity digest as the kernel measures it, and
 * turning fs-verity on.
 */
#ifndef IPECTL_FSVERITY_H
#define IPECTL_FSVERITY_H

#include <stdint.h>

/**
 * struct ipectl_fsv_digest - what FS_IOC_MEASURE_VERITY reports.
 * @alg: "sha256" or "sha512", as IPE's fsverity_digest names them.
 * @bytes: the digest.
 * @len: bytes at @bytes.
 */
struct ipectl_fsv_digest {
	char alg[8];
	uint8_t bytes[64];
	uint32_t len;
};

int ipectl_fsv_measure(int fd, struct ipectl_fsv_digest *d);
int ipectl_fsv_enable(int fd);
const char *ipectl_fsv_explain(int err);

#endif /* IPECTL_FSVERITY_H */
