// SPDX-License-Identifier: MIT
/*
 * cmd_deploy.c - `ipectl deploy`: load or update a signed policy (signing
 * it first with -k/-c), and activate it with --activate.
 */
#include <errno.h>
#include <stdbool.h>
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

	rc = ipectl_read_input(file, &data, &len);
	if (rc)
		return rc;
	/* signed, or a malformed trailer the kernel will name */
	if (ipe_eng_policy_form(data, len, &tl, &sl) != IPE_ENG_FORM_TEXT) {
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

/* A signed policy to deploy, read and checked as the kernel will. */
struct signed_policy {
	const char *file;
	unsigned char *der;		/* the signed bytes, either format */
	size_t len;
	bool appended;
	unsigned char *text;		/* the policy text in them */
	struct ipe_eng_policy *p;	/* it parsed (which reads @text) */
};

static void signed_policy_free(struct signed_policy *sp)
{
	ipe_eng_policy_free(sp->p);
	free(sp->text);
	free(sp->der);
}

/*
 * @sp->file as is, or signed now: its signature intact, its text a valid
 * policy.  Return: the exit status.
 */
static int read_checked(struct signed_policy *sp, struct ipectl_tree_opts *c)
{
	unsigned char *text = NULL;
	struct ipe_eng_error e;
	char err[512], *signer = NULL;
	size_t tlen;
	int rc, status;

	status = load_signed(sp->file, c, &sp->der, &sp->len);
	if (status)
		return status;
	status = IPECTL_EXIT_INPUT;
	rc = ipectl_verify_any(sp->der, sp->len, NULL, &text, &tlen, &signer,
			       &sp->appended, err, sizeof(err));
	if (rc) {
		ipectl_error("%s: %s (%s)", sp->file, err,
			     ipectl_errno_name(rc));
		goto out;
	}
	if (ipe_eng_parse((const char *)text, tlen, 0, NULL, NULL, &sp->p, &e)) {
		ipectl_error("%s: the signed policy is invalid: line %u: %s (%s)",
			     sp->file, e.line, e.msg, ipectl_errno_name(e.err));
		goto out;
	}
	warn_dkms_mok(sp->file, sp->der, sp->len);
	sp->text = text;	/* the policy reads it */
	text = NULL;
	status = IPECTL_EXIT_OK;
out:
	free(signer);
	free(text);
	return status;
}

/*
 * Write @sp to the tree: a new policy, or an update of the loaded one of
 * its name, refusing before the kernel what it would refuse.  Return: the
 * exit status.
 */
static int write_policy(const struct ipectl_tree *t,
			const struct signed_policy *sp)
{
	const struct ipe_eng_policy *p = sp->p;
	u16 cur[3];
	char rel[512];
	int rc;

	if (sp->appended && !t->module) {
		ipectl_error("%s has an appended signature, which only ipe_lkm takes; the kernel's built-in IPE at %s refuses it (EBADMSG): sign it without --appended",
			     sp->file, t->path);
		return ipectl_exit_status(EBADMSG);
	}
	rc = ipectl_loaded_version(t, p->name, cur);
	if (!rc && ipe_eng_version_cmp(cur, p->version) >= 0) {
		ipectl_error("'%s' %u.%u.%u is loaded; %u.%u.%u would be a rollback, and the kernel refuses it (ESTALE): raise policy_version",
			     p->name, cur[0], cur[1], cur[2], p->version[0],
			     p->version[1], p->version[2]);
		return ipectl_exit_status(ESTALE);
	}
	if (!rc) {
		snprintf(rel, sizeof(rel), "policies/%s/update", p->name);
		rc = ipectl_tree_write(t, rel, sp->der, sp->len);
	} else {
		rc = ipectl_tree_write(t, "new_policy", sp->der, sp->len);
	}
	if (rc)
		return ipectl_kernel_error("deploy", rc);
	printf("deployed '%s' %u.%u.%u to %s\n", p->name, p->version[0],
	       p->version[1], p->version[2], t->path);
	return IPECTL_EXIT_OK;
}

int cmd_deploy(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct ipectl_tree_opts c = { .key = getenv("IPECTL_KEY"),
				      .cert = getenv("IPECTL_CERT") };
	struct signed_policy sp = { 0 };
	struct ipectl_tree t;
	int status;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1, "tak:c:APV");
	sp.file = argv[0];
	status = read_checked(&sp, &c);
	if (status)
		goto out;
	if (ipectl_open_tree(c.tree, &t)) {
		status = IPECTL_EXIT_SYSTEM;
		goto out;
	}
	status = write_policy(&t, &sp);
	if (status || !c.activate)
		goto out;
	status = ipectl_activate_name(&t, sp.p->name, sp.p->version);
	if (!status)
		printf("'%s' is the active policy\n", sp.p->name);
out:
	signed_policy_free(&sp);
	return status;
}
