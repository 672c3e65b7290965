// SPDX-License-Identifier: MIT
/*
 * cmd_tree.c - the commands that talk to the kernel's policy tree:
 * deploy, activate, delete, list, show, status, enforce, success-audit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <openssl/evp.h>

#include "ipe_engine.h"
#include "ipectl.h"
#include "pkcs7.h"
#include "tree.h"

/* What the kernel's errno means for an administrator, and what to do. */
static const char *advice(int rc)
{
	switch (-rc) {
	case EPERM:
		return "permission denied: writing needs CAP_MAC_ADMIN (run as root)";
	case ENOKEY:
		return "the kernel does not trust the signing certificate: enroll it (mokutil --import, the firmware db, or /etc/ipe-lkm/keys/ and rebuild the module); see ipectl keygen";
	case EKEYREJECTED:
		return "the kernel rejected the signature";
	case EBADMSG:
		return "the kernel could not read it as a signed policy (check it with 'ipectl verify' and 'ipectl check')";
	case EMSGSIZE:
		return "the signed policy is larger than the kernel accepts (65535 bytes for PKCS#7; ipe_lkm takes larger policies with an appended signature: ipectl sign --appended)";
	case EEXIST:
		return "a policy of that name is already loaded";
	case ESTALE:
		return "the loaded policy of that name has the same or a higher version (rollback refused)";
	case ENOENT:
		return "no such policy";
	case ENOPKG:
		return "the kernel lacks the signature's algorithm";
	default:
		return strerror(-rc);
	}
}

static int kernel_error(const char *what, int rc)
{
	ipectl_error("%s: %s (%s)", what, advice(rc), ipectl_errno_name(rc));
	return IPECTL_EXIT_SYSTEM;
}

static int open_tree(const char *forced, struct ipectl_tree *t)
{
	int rc = ipectl_tree_find(forced ? forced : getenv("IPECTL_TREE"), t);

	if (rc == -ENODEV)
		ipectl_error("securityfs is not mounted: mount -t securityfs securityfs /sys/kernel/security");
	else if (rc)
		ipectl_error("no IPE policy tree: load the module with 'ipectl load', or boot a kernel with IPE%s",
			     forced ? " (or check --tree)" : "");
	return rc;
}

static int read_version(const struct ipectl_tree *t, const char *name,
			unsigned int v[3])
{
	char rel[512], buf[32];
	ssize_t n;

	snprintf(rel, sizeof(rel), "policies/%s/version", name);
	n = ipectl_tree_read(t, rel, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return ipectl_parse_version(buf, v);
}

static int vcmp(const unsigned int a[3], const u16 b[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return 0;
}

/* Common option parsing: --tree, --json, --help; returns optind or -exit. */
struct common {
	const char *tree;
	bool json;
	bool activate;
	bool appended;
	const char *key, *cert;
	struct ipectl_pass pass;
};

static int parse_common(const struct ipectl_cmd *cmd, int argc, char *argv[],
			struct common *c)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "activate", no_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "appended", no_argument, NULL, 'A' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "passphrase-env", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	ipectl_pass_init(&c->pass, NULL);
	while ((o = getopt_long(argc, argv, "t:jak:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 't': c->tree = optarg; break;
		case 'j': c->json = true; break;
		case 'a': c->activate = true; break;
		case 'k': c->key = optarg; break;
		case 'c': c->cert = optarg; break;
		case 'A': c->appended = true; break;
		case 'P':
		case 'V':
			if (ipectl_pass_option(&c->pass, o, optarg))
				return -IPECTL_EXIT_INPUT;
			break;
		case 'h': ipectl_usage(cmd, stdout); return -IPECTL_EXIT_OK - 100;
		default: ipectl_usage(cmd, stderr); return -IPECTL_EXIT_INPUT;
		}
	}
	return optind;
}

#define PARSE_OR_RETURN(cmd, argc, argv, c, nargs)                          \
	do {                                                                \
		int i_ = parse_common(cmd, argc, argv, c);                  \
		if (i_ == -IPECTL_EXIT_OK - 100)                            \
			return IPECTL_EXIT_OK;                              \
		if (i_ < 0)                                                 \
			return -i_;                                         \
		if (argc - i_ != (nargs)) {                                 \
			ipectl_usage(cmd, stderr);                          \
			return IPECTL_EXIT_INPUT;                           \
		}                                                           \
		argv += i_;                                                 \
	} while (0)

static int activate_name(const struct ipectl_tree *t, const char *name,
			 const u16 newv[3])
{
	char rel[512], active[256];
	unsigned int av[3];
	int rc;

	if (newv && ipectl_tree_active(t, active, sizeof(active)) == 1 &&
	    strcmp(active, name) && !read_version(t, active, av) &&
	    vcmp(av, newv) > 0) {
		ipectl_error("cannot activate '%s' %u.%u.%u: the active policy '%s' has the higher version %u.%u.%u, and the kernel refuses to go back (EINVAL)",
			     name, newv[0], newv[1], newv[2], active, av[0],
			     av[1], av[2]);
		return IPECTL_EXIT_INPUT;
	}
	snprintf(rel, sizeof(rel), "policies/%s/active", name);
	rc = ipectl_tree_write(t, rel, "1", 1);
	if (rc == -EINVAL)
		ipectl_error("activate '%s': the active policy has a higher version (EINVAL)",
			     name);
	else if (rc)
		return kernel_error("activate", rc);
	return rc ? IPECTL_EXIT_SYSTEM : IPECTL_EXIT_OK;
}

/*
 * The signed policy to deploy: FILE as is (either format), or FILE signed
 * now (--appended: with an appended signature).  *@der is malloc'ed.
 */
static int load_signed(const char *file, struct common *c,
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
	struct common c = { .key = getenv("IPECTL_KEY"),
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
	if (open_tree(c.tree, &t)) {
		status = IPECTL_EXIT_SYSTEM;
		goto out;
	}
	if (appended && !t.module) {
		ipectl_error("%s has an appended signature, which only ipe_lkm takes; the kernel's built-in IPE at %s refuses it (EBADMSG): sign it without --appended",
			     argv[0], t.path);
		goto out;
	}
	rc = read_version(&t, p->name, cur);
	if (!rc && vcmp(cur, p->version) >= 0) {
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
		status = kernel_error("deploy", rc);
		goto out;
	}
	printf("deployed '%s' %u.%u.%u to %s\n", p->name, p->version[0],
	       p->version[1], p->version[2], t.path);
	status = c.activate ? activate_name(&t, p->name, p->version) :
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

int cmd_activate(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct common c = { 0 };
	struct ipectl_tree t;
	unsigned int v[3];
	u16 v16[3];

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1);
	if (open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	if (read_version(&t, argv[0], v)) {
		ipectl_error("no policy '%s' is loaded ('ipectl list' shows them)",
			     argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	v16[0] = (u16)v[0];
	v16[1] = (u16)v[1];
	v16[2] = (u16)v[2];
	return activate_name(&t, argv[0], v16);
}

int cmd_delete(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct common c = { 0 };
	struct ipectl_tree t;
	char rel[512];
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1);
	if (open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	snprintf(rel, sizeof(rel), "policies/%s/delete", argv[0]);
	rc = ipectl_tree_write(&t, rel, "1", 1);
	if (rc == -ENOENT) {
		ipectl_error("no policy '%s' is loaded", argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	if (rc == -EPERM) {
		char act[8];

		snprintf(rel, sizeof(rel), "policies/%s/active", argv[0]);
		if (ipectl_tree_read(&t, rel, act, sizeof(act)) > 0 &&
		    act[0] == '1') {
			ipectl_error("'%s' is the active policy and cannot be deleted: activate another one first (EPERM)",
				     argv[0]);
			return IPECTL_EXIT_SYSTEM;
		}
	}
	if (rc)
		return kernel_error("delete", rc);
	printf("deleted '%s'\n", argv[0]);
	return IPECTL_EXIT_OK;
}

/*
 * A whole file of the tree, however large (a policy with an appended
 * signature can have megabytes): a malloc'ed, NUL-terminated buffer.
 */
static ssize_t read_all(const struct ipectl_tree *t, const char *rel,
			char **buf)
{
	unsigned char *data;
	char p[4096];
	size_t len;
	int rc;

	if (snprintf(p, sizeof(p), "%s/%s", t->path, rel) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	/* no bound of our own: the kernel bounds what it holds */
	rc = ipectl_read_file(p, SIZE_MAX / 2, &data, &len);
	if (rc)
		return rc;
	*buf = (char *)data;
	return (ssize_t)len;
}

/* SHA-256 of the policy's pkcs7 file, as in audit records; "" if none. */
static void policy_digest(const struct ipectl_tree *t, const char *name,
			  char hex[65])
{
	unsigned char md[32];
	char rel[512], *buf;
	ssize_t n;
	int i;

	snprintf(rel, sizeof(rel), "policies/%s/pkcs7", name);
	n = read_all(t, rel, &buf);
	if (n < 0) {
		hex[0] = '\0';
		return;
	}
	EVP_Digest(buf, (size_t)n, md, NULL, EVP_sha256(), NULL);
	free(buf);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

int cmd_list(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct common c = { 0 };
	struct ipectl_tree t;
	char **names, ver[32], act[8], rel[512], hex[65];
	size_t n, i;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 0);
	if (open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	if (ipectl_tree_policies(&t, &names, &n))
		return kernel_error("list", -errno);
	if (c.json)
		fputs("[", stdout);
	else
		printf("%-24s %-17s %-6s %s\n", "NAME", "VERSION", "ACTIVE",
		       "SHA256(PKCS7)");
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "policies/%s/version", names[i]);
		if (ipectl_tree_read(&t, rel, ver, sizeof(ver)) < 0)
			strcpy(ver, "?");
		snprintf(rel, sizeof(rel), "policies/%s/active", names[i]);
		if (ipectl_tree_read(&t, rel, act, sizeof(act)) < 0)
			strcpy(act, "?");
		policy_digest(&t, names[i], hex);
		if (c.json) {
			printf("%s{\"name\":", i ? "," : "");
			ipectl_json_str(stdout, names[i], strlen(names[i]));
			printf(",\"version\":\"%s\",\"active\":%s,\"digest\":",
			       ver, act[0] == '1' ? "true" : "false");
			if (hex[0])
				printf("\"sha256:%s\"}", hex);
			else
				fputs("null}", stdout);
		} else {
			printf("%-24s %-17s %-6s %s\n", names[i], ver,
			       act[0] == '1' ? "yes" : "no",
			       hex[0] ? hex : "(boot policy, unsigned)");
		}
		free(names[i]);
	}
	if (c.json)
		fputs("]\n", stdout);
	free(names);
	return IPECTL_EXIT_OK;
}

int cmd_show(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct common c = { 0 };
	struct ipectl_tree t;
	char rel[512], ver[32], act[8], *text;
	ssize_t n;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1);
	if (open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	snprintf(rel, sizeof(rel), "policies/%s/policy", argv[0]);
	n = read_all(&t, rel, &text);
	if (n == -ENOENT) {
		ipectl_error("no policy '%s' is loaded", argv[0]);
		return IPECTL_EXIT_INPUT;
	}
	if (n < 0)
		return kernel_error("show", (int)n);
	if (!c.json) {
		fwrite(text, 1, (size_t)n, stdout);
		free(text);
		return IPECTL_EXIT_OK;
	}
	snprintf(rel, sizeof(rel), "policies/%s/version", argv[0]);
	if (ipectl_tree_read(&t, rel, ver, sizeof(ver)) < 0)
		strcpy(ver, "?");
	snprintf(rel, sizeof(rel), "policies/%s/active", argv[0]);
	if (ipectl_tree_read(&t, rel, act, sizeof(act)) < 0)
		strcpy(act, "0");
	fputs("{\"name\":", stdout);
	ipectl_json_str(stdout, argv[0], strlen(argv[0]));
	printf(",\"version\":\"%s\",\"active\":%s,\"policy\":", ver,
	       act[0] == '1' ? "true" : "false");
	ipectl_json_str(stdout, text, (size_t)n);
	fputs("}\n", stdout);
	free(text);
	return IPECTL_EXIT_OK;
}

static void read_or(const struct ipectl_tree *t, const char *rel, char *buf,
		    size_t size, const char *def)
{
	if (ipectl_tree_read(t, rel, buf, size) < 0)
		snprintf(buf, size, "%s", def);
}

/* The first line of a small file, or "" if it cannot be read. */
static void read_line_of(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* What the administrator configured for every boot (ipe-policies). */
struct configured {
	const char *dir;	/* IPE_POLICY_DIR, /etc/ipe-lkm/policies */
	const char *boot;	/* IPE_BOOT_POLICY, /etc/ipe-lkm/boot_policy.pol */
	bool boot_policy;
	size_t signed_n;	/* *.p7s and *.sig in dir */
	char active[256];	/* dir/active, first line, or "" */
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

static void read_configured(struct configured *cf)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	memset(cf, 0, sizeof(*cf));
	cf->dir = getenv("IPE_POLICY_DIR");
	if (!cf->dir || !*cf->dir)
		cf->dir = "/etc/ipe-lkm/policies";
	cf->boot = getenv("IPE_BOOT_POLICY");
	if (!cf->boot || !*cf->boot)
		cf->boot = "/etc/ipe-lkm/boot_policy.pol";
	cf->boot_policy = !access(cf->boot, F_OK);
	d = opendir(cf->dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (has_suffix(e->d_name, ".p7s") || has_suffix(e->d_name, ".sig"))
			cf->signed_n++;
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/active", cf->dir);
	read_line_of(path, cf->active, sizeof(cf->active));
	cf->active[strcspn(cf->active, " \t\r")] = '\0';
}

static bool is_configured(const struct configured *cf)
{
	return cf->boot_policy || cf->signed_n;
}

/* Why no enforcer is there: ipe_lkm's state, the kernel's own IPE. */
static void why_no_enforcer(char *buf, size_t size)
{
	char ko[1024], lsm[512] = "";
	FILE *f;

	f = fopen("/sys/kernel/security/lsm", "re");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = '\0';
		fclose(f);
	}
	lsm[strcspn(lsm, "\n")] = '\0';
	if (!ipectl_module_path(ko, sizeof(ko)))
		snprintf(buf, size,
			 "ipe_lkm is installed (%s) but not loaded ('ipectl load'; 'journalctl -b -u systemd-modules-load' says why), and the kernel's own IPE is not active (LSMs: %s)",
			 ko, lsm[0] ? lsm : "?");
	else
		snprintf(buf, size,
			 "ipe_lkm is not installed for this kernel ('dkms status ipe-lkm': headers missing, build failed, or a kernel ipe-lkm does not support), and the kernel's own IPE is not active (LSMs: %s)",
			 lsm[0] ? lsm : "?");
}

static void json_configured(const struct configured *cf)
{
	printf("\"configured\":{\"boot_policy\":%s,\"signed_policies\":%zu,\"active\":",
	       cf->boot_policy ? "true" : "false", cf->signed_n);
	if (cf->active[0])
		ipectl_json_str(stdout, cf->active, strlen(cf->active));
	else
		fputs("null", stdout);
	fputs("}", stdout);
}

static void print_configured(const struct configured *cf)
{
	printf("configured:     ");
	if (!is_configured(cf)) {
		printf("nothing (%s, %s)\n", cf->boot, cf->dir);
		return;
	}
	if (cf->boot_policy)
		printf("boot policy %s%s", cf->boot, cf->signed_n ? "; " : "");
	if (cf->signed_n)
		printf("%zu signed in %s, active %s", cf->signed_n, cf->dir,
		       cf->active[0] ? cf->active : "(none named)");
	putchar('\n');
}

/*
 * `ipectl status` with no tree: say so, and whether configured policies
 * go unenforced (exit 2 either way: there is no enforcer).
 */
static int status_no_tree(bool json, const struct configured *cf)
{
	char why[2048];
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	why_no_enforcer(why, sizeof(why));
	if (json) {
		fputs("{\"enforcer\":null,\"problem\":", stdout);
		ipectl_json_str(stdout, why, strlen(why));
		putchar(',');
		json_configured(cf);
		puts("}");
	} else {
		printf("enforcer:       none\n");
		print_configured(cf);
	}
	if (is_configured(cf))
		ipectl_error("NO IPE ENFORCEMENT on kernel %s: the configured policies are not enforced: %s",
			     u.release, why);
	else
		ipectl_error("no IPE policy tree on kernel %s: %s", u.release,
			     why);
	return IPECTL_EXIT_SYSTEM;
}

int cmd_status(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	struct common c = { 0 };
	struct configured cf;
	struct ipectl_tree t;
	char enf[8], sa[8], active[256] = "", ver[32] = "", modver[64] = "";
	char rel[512], **names, trust[128] = "", problem[768] = "";
	size_t n = 0, i;
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 0);
	read_configured(&cf);
	rc = ipectl_tree_find(c.tree ? c.tree : getenv("IPECTL_TREE"), &t);
	if (rc == -ENOENT && !c.tree && !getenv("IPECTL_TREE"))
		return status_no_tree(c.json, &cf);
	if (rc) {
		(void)open_tree(c.tree, &t);	/* says why */
		return IPECTL_EXIT_SYSTEM;
	}
	read_or(&t, "enforce", enf, sizeof(enf), "?");
	read_or(&t, "success_audit", sa, sizeof(sa), "?");
	if (ipectl_tree_active(&t, active, sizeof(active)) == 1) {
		snprintf(rel, sizeof(rel), "policies/%s/version", active);
		read_or(&t, rel, ver, sizeof(ver), "?");
	}
	if (!ipectl_tree_policies(&t, &names, &n)) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (t.module) {
		read_line_of("/sys/module/ipe_lkm/version", modver, sizeof(modver));
		read_line_of("/sys/module/ipe_lkm/parameters/trust", trust,
			     sizeof(trust));
	}
	/* what ipe-policies.service should have made active at boot */
	if (cf.signed_n && cf.active[0] && strcmp(cf.active, active))
		snprintf(problem, sizeof(problem),
			 "the configured active policy '%s' (%s/active) is not the active one%s%s%s: 'systemctl status ipe-policies' says why",
			 cf.active, cf.dir, active[0] ? " ('" : "",
			 active, active[0] ? "' is)" : "");
	if (c.json) {
		printf("{\"enforcer\":\"%s\",\"module_version\":",
		       t.module ? "ipe_lkm" : "builtin");
		if (t.module)
			ipectl_json_str(stdout, modver, strlen(modver));
		else
			fputs("null", stdout);
		fputs(",\"trust\":", stdout);
		if (trust[0])
			ipectl_json_str(stdout, trust, strlen(trust));
		else
			fputs("null", stdout);
		fputs(",\"tree\":", stdout);
		ipectl_json_str(stdout, t.path, strlen(t.path));
		printf(",\"enforce\":%s,\"success_audit\":%s,\"policies\":%zu,\"active\":",
		       enf[0] == '1' ? "true" : "false",
		       sa[0] == '1' ? "true" : "false", n);
		if (active[0]) {
			fputs("{\"name\":", stdout);
			ipectl_json_str(stdout, active, strlen(active));
			printf(",\"version\":\"%s\"}", ver);
		} else {
			fputs("null", stdout);
		}
		fputs(",\"problem\":", stdout);
		if (problem[0])
			ipectl_json_str(stdout, problem, strlen(problem));
		else
			fputs("null", stdout);
		putchar(',');
		json_configured(&cf);
		puts("}");
	} else {
		printf("enforcer:       %s\n", t.module ? "ipe_lkm (module)" :
							  "built-in IPE (kernel)");
		if (t.module) {
			printf("module version: %s\n", modver[0] ? modver : "?");
			printf("signers:        %s%s\n", trust[0] ? trust : "?",
			       strstr(trust, "secondary") || strstr(trust, "platform") ?
			       " (Machine Owner Keys are trusted: DKMS's among them)" : "");
		}
		printf("tree:           %s\n", t.path);
		printf("enforce:        %s\n", enf[0] == '1' ? "on" : "off (permissive: denials are only audited)");
		printf("success_audit:  %s\n", sa[0] == '1' ? "on" : "off");
		printf("policies:       %zu loaded\n", n);
		if (active[0])
			printf("active policy:  %s %s\n", active, ver);
		else
			printf("active policy:  none (everything is allowed)\n");
		print_configured(&cf);
	}
	if (!problem[0])
		return IPECTL_EXIT_OK;
	ipectl_error("%s", problem);
	return IPECTL_EXIT_SYSTEM;
}

static int set_bool(const struct ipectl_cmd *cmd, int argc, char *argv[],
		    const char *file)
{
	struct common c = { 0 };
	struct ipectl_tree t;
	const char *v;
	int rc;

	PARSE_OR_RETURN(cmd, argc, argv, &c, 1);
	if (!strcmp(argv[0], "on") || !strcmp(argv[0], "1"))
		v = "1";
	else if (!strcmp(argv[0], "off") || !strcmp(argv[0], "0"))
		v = "0";
	else {
		ipectl_error("%s takes on or off", cmd->name);
		return IPECTL_EXIT_INPUT;
	}
	if (open_tree(c.tree, &t))
		return IPECTL_EXIT_SYSTEM;
	rc = ipectl_tree_write(&t, file, v, 1);
	if (rc)
		return kernel_error(cmd->name, rc);
	printf("%s: %s\n", file, v[0] == '1' ? "on" : "off");
	return IPECTL_EXIT_OK;
}

int cmd_enforce(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	return set_bool(cmd, argc, argv, "enforce");
}

int cmd_success_audit(const struct ipectl_cmd *cmd, int argc, char *argv[])
{
	return set_bool(cmd, argc, argv, "success_audit");
}
