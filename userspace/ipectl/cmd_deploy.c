// SPDX-License-Identifier: MIT
/*
 * cmd_deploy.c - `ipectl deploy`: load or update a signed policy (signing
 * it first with -k/-c), and activate it with --activate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "treecmd.h"

/*
 * The signed policy to deploy: FILE as is (either format), or FILE signed
 * now (--appended: with an appended signature).  *@der is malloc'ed.
 */
static int load_signed(const char *file, struct ipectl_tree_opts *c,
		       unsigned char **der, size_t *derlen)
{
	struct ipectl_signer signer;
	unsigned char *data, *blob;
	size_t len, tl, sl;
	char err[512];
	int rc;

	rc = ipectl_read_file(file, IPECTL_MAX_FILE, &data, &len);
	if (rc) {
		ipectl_error("%s: cannot read: %s", file, strerror(-rc));
		return IPECTL_EXIT_INPUT;
	}
	if ((len && data[0] == 0x30) ||
	    ipectl_appended_split(data, len, &tl, &sl) != -ENODATA) {
		*der = data;
		*derlen = len;
		return 0;
	}
	if (!c->key || !c->cert) {
		ipectl_error("%s is not signed: sign it first (ipectl sign), or pass -k KEY -c CERT to sign it now",
			     file);
		free(data);
		return IPECTL_EXIT_INPUT;
	}
	rc = ipectl_signer_ready(c->key, c->cert);
	if (!rc)
		rc = ipectl_check_buffer(file, data, len, false, true);
	c->pass.what = c->key;
	signer = (struct ipectl_signer){ c->key, c->cert, &c->pass.src };
	if (!rc && c->appended) {
		if (ipectl_sign_appended(data, len, &signer, der, derlen, err,
					 sizeof(err))) {
			ipectl_error("%s", err);
			rc = IPECTL_EXIT_INPUT;
		}
	} else if (!rc) {
		if (ipectl_sign(data, len, &signer, &blob, derlen, err,
				sizeof(err))) {
			ipectl_error("%s", err);
			rc = IPECTL_EXIT_INPUT;
		} else {
			/* one allocator for the caller's free() */
			*der = malloc(*derlen);
			if (*der)
				memcpy(*der, blob, *derlen);
			else
				rc = IPECTL_EXIT_SYSTEM;
			OPENSSL_free(blob);
		}
	}
	free(data);
	return rc;
}

/*
 * DKMS's Machine Owner Key signs modules on Secure Boot machines; its
 * private half is on every machine that builds with DKMS.  A policy it
 * signed is trusted only through the keyrings that hold MOKs, which
 * ipe_lkm's default trust leaves out (docs/install.md).
 */
static void warn_dkms_mok(const char *file, const unsigned char *der,
			  size_t len)
{
	const char *mok = getenv("IPECTL_DKMS_MOK");

	if (!mok || !*mok)
		mok = "/var/lib/dkms/mok.pub";
	if (access(mok, R_OK) || ipectl_signed_by(der, len, mok) != 1)
		return;
	ipectl_warn("%s is signed by DKMS's Machine Owner Key (%s), whose private key is on every machine that builds modules with DKMS: any root user there can sign such policies.  ipe_lkm's default trust refuses it; sign with a key of your own (ipectl keygen) instead",
		    file, mok);
}

int cmd_deploy(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { .key = getenv("IPECTL_KEY"),
			    .cert = getenv("IPECTL_CERT") };
	struct ipectl_tree t;
	struct ipe_eng_policy *p = NULL;
	struct ipe_eng_error e;
	unsigned char *der = NULL, *text = NULL;
	char err[512], *signer = NULL, rel[512];
	size_t derlen, tlen;
	unsigned int cur[3];
	bool appended;
	int rc, status;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1);
	status = load_signed(argv[0], &c, &der, &derlen);
	if (status)
		return status;
	status = IPECTL_EXIT_INPUT;
	rc = ipectl_verify_any(der, derlen, NULL, &text, &tlen, &signer,
			       &appended, err, sizeof(err));
	if (rc) {
		ipectl_error("%s: %s (%s)", argv[0], err,
			     ipectl_errno_name(rc));
		goto out;
	}
	if (ipe_eng_parse((const char *)text, tlen, 0, NULL, NULL, &p, &e)) {
		ipectl_error("%s: the signed policy is invalid: line %u: %s (%s)",
			     argv[0], e.line, e.msg, ipectl_errno_name(e.err));
		goto out;
	}
	warn_dkms_mok(argv[0], der, derlen);
	if (ipectl_open_tree(c.tree, &t)) {
		status = IPECTL_EXIT_SYSTEM;
		goto out;
	}
	if (appended && !t.module) {
		ipectl_error("%s has an appended signature, which only ipe_lkm takes; the kernel's built-in IPE at %s refuses it (EBADMSG): sign it without --appended",
			     argv[0], t.path);
		goto out;
	}
	rc = ipectl_loaded_version(&t, p->name, cur);
	if (!rc && ipectl_version_cmp(cur, p->version) >= 0) {
		ipectl_error("'%s' %u.%u.%u is loaded; %u.%u.%u would be a rollback, and the kernel refuses it (ESTALE): raise policy_version",
			     p->name, cur[0], cur[1], cur[2], p->version[0],
			     p->version[1], p->version[2]);
		goto out;
	}
	if (!rc) {
		snprintf(rel, sizeof(rel), "policies/%s/update", p->name);
		rc = ipectl_tree_write(&t, rel, der, derlen);
	} else {
		rc = ipectl_tree_write(&t, "new_policy", der, derlen);
	}
	if (rc) {
		status = ipectl_kernel_error("deploy", rc);
		goto out;
	}
	printf("deployed '%s' %u.%u.%u to %s\n", p->name, p->version[0],
	       p->version[1], p->version[2], t.path);
	status = c.activate ? ipectl_activate_name(&t, p->name, p->version) :
			      IPECTL_EXIT_OK;
	if (c.activate && !status)
		printf("'%s' is the active policy\n", p->name);
out:
	ipe_eng_policy_free(p);
	free(signer);
	free(text);
	free(der);
	return status;
}
