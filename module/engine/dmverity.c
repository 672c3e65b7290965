// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * dmverity.c - what a dm-verity table line says about trust: the root hash,
 * whether a signature of it was verified, whether every read is verified.
 *
 * The line is the verity target's constructor parameters, which is also
 * what the kernel prints as its table (`dmsetup table`, STATUSTYPE_TABLE).
 * It is split and read as drivers/md/dm-table.c dm_split_args() and
 * dm-verity-target.c verity_ctr() / verity_parse_opt_args() (with
 * dm-verity-fec.c and dm-verity-verify-sig.c) of Linux 6.1 and 6.12 read
 * it, so that the module (which reads the live table) and ipectl (which
 * reads it with DM_TABLE_STATUS) judge the same text the same way.
 */
#include "engine_priv.h"

/* The positional arguments; the optional group follows them. */
#define DMV_NPOS 10
#define DMV_POS_ALG 7
#define DMV_POS_DIGEST 8

/* One argument of the line: raw bytes, backslash quoting included. */
struct dmv_arg {
	const char *s;
	size_t raw;
};

/*
 * The next argument of [*pos, end) as dm_split_args() splits: white space
 * is the kernel's isspace(), a backslash makes the next byte (anything but
 * NUL) part of the argument, a NUL ends the line.  False at the end.
 */
static bool next_word(const char **pos, const char *end, struct dmv_arg *a)
{
	const char *p = *pos;

	while (p < end && *p && ipe_eng_isspace((unsigned char)*p))
		p++;
	if (p == end || !*p)
		return false;
	a->s = p;
	while (p < end && *p && !ipe_eng_isspace((unsigned char)*p)) {
		if (*p == '\\' && p + 1 < end && p[1])
			p++;
		p++;
	}
	a->raw = (size_t)(p - a->s);
	*pos = p;
	return true;
}

/* The unquoted byte at raw offset *i of @a; moves *i past it. */
static char arg_getc(const struct dmv_arg *a, size_t *i)
{
	if (a->s[*i] == '\\' && *i + 1 < a->raw)
		(*i)++;
	return a->s[(*i)++];
}

/* strcasecmp(arg, @name) == 0, for a lower-case ASCII @name. */
static bool arg_is(const struct dmv_arg *a, const char *name)
{
	size_t i = 0;

	while (i < a->raw) {
		char c = arg_getc(a, &i);

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!*name || c != *name)
			return false;
		name++;
	}
	return !*name;
}

/*
 * sscanf(arg, "%llu%c") == 1 in the kernel: decimal digits only, wrapping
 * modulo 2^64 as simple_strtoull() does.
 */
static bool arg_num(const struct dmv_arg *a, u64 *v)
{
	size_t i = 0;
	u64 n = 0;

	while (i < a->raw) {
		char c = arg_getc(a, &i);

		if (c < '0' || c > '9')
			return false;
		n = n * 10 + (u64)(c - '0');
	}
	*v = n;
	return true;
}

/* The unquoted argument into @buf of @size bytes, NUL-terminated. */
static int arg_str(const struct dmv_arg *a, char *buf, size_t size)
{
	size_t i = 0, n = 0;

	while (i < a->raw) {
		if (n + 1 >= size)
			return -EINVAL;
		buf[n++] = arg_getc(a, &i);
	}
	buf[n] = '\0';
	return 0;
}

/* hex2bin() of the whole argument, which must be 1 to @max bytes. */
static int arg_hex(const struct dmv_arg *a, u8 *out, size_t max, u32 *len)
{
	size_t i = 0, n = 0;

	while (i < a->raw) {
		int hi = ipe_eng_hex_val(arg_getc(a, &i)), lo;

		if (i == a->raw || n == max)
			return -EINVAL;
		lo = ipe_eng_hex_val(arg_getc(a, &i));
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = (u8)(hi << 4 | lo);
	}
	*len = (u32)n;
	return n ? 0 : -EINVAL;
}

enum dmv_opt_id {
	DMV_IGNORE_CORRUPTION = 0,
	DMV_RESTART_ON_CORRUPTION,
	DMV_PANIC_ON_CORRUPTION,
	DMV_RESTART_ON_ERROR,
	DMV_PANIC_ON_ERROR,
	DMV_IGNORE_ZERO_BLOCKS,
	DMV_CHECK_AT_MOST_ONCE,
	DMV_TRY_VERIFY_IN_TASKLET,
	DMV_FEC_DEV,
	DMV_FEC_ROOTS,
	DMV_FEC_BLOCKS,
	DMV_FEC_START,
	DMV_SIG_KEY,
	__DMV_OPT_MAX,
};

#define DMV_BIT(id) (1u << (id))
/* one mode, one error mode: the kernel refuses a second of either */
#define DMV_MODES                                                          \
	(DMV_BIT(DMV_IGNORE_CORRUPTION) | DMV_BIT(DMV_RESTART_ON_CORRUPTION) | \
	 DMV_BIT(DMV_PANIC_ON_CORRUPTION))
#define DMV_ERROR_MODES                                                    \
	(DMV_BIT(DMV_RESTART_ON_ERROR) | DMV_BIT(DMV_PANIC_ON_ERROR))
/* options that let data through unchecked */
#define DMV_UNVERIFIED                                                     \
	(DMV_BIT(DMV_IGNORE_CORRUPTION) | DMV_BIT(DMV_IGNORE_ZERO_BLOCKS) |  \
	 DMV_BIT(DMV_CHECK_AT_MOST_ONCE))

/**
 * struct dmv_opt - one optional argument of the verity target.
 * @name: as the kernel prints it (it compares with strcasecmp()).
 * @value: takes one value, counted in the group like the option itself.
 * @conflicts: options that may not come before it (the kernel's
 *	"Conflicting error handling parameters", "... already specified").
 */
struct dmv_opt {
	const char *name;
	bool value;
	u16 conflicts;
};

static const struct dmv_opt dmv_opts[__DMV_OPT_MAX] = {
	[DMV_IGNORE_CORRUPTION] = { "ignore_corruption", false, DMV_MODES },
	[DMV_RESTART_ON_CORRUPTION] = { "restart_on_corruption", false, DMV_MODES },
	[DMV_PANIC_ON_CORRUPTION] = { "panic_on_corruption", false, DMV_MODES },
	/* 6.12 (6.1 refuses them, so never prints them) */
	[DMV_RESTART_ON_ERROR] = { "restart_on_error", false, DMV_ERROR_MODES },
	[DMV_PANIC_ON_ERROR] = { "panic_on_error", false, DMV_ERROR_MODES },
	[DMV_IGNORE_ZERO_BLOCKS] = { "ignore_zero_blocks", false, 0 },
	[DMV_CHECK_AT_MOST_ONCE] = { "check_at_most_once", false, 0 },
	[DMV_TRY_VERIFY_IN_TASKLET] = { "try_verify_in_tasklet", false, 0 },
	[DMV_FEC_DEV] = { "use_fec_from_device", true, DMV_BIT(DMV_FEC_DEV) },
	[DMV_FEC_ROOTS] = { "fec_roots", true, 0 },
	[DMV_FEC_BLOCKS] = { "fec_blocks", true, 0 },
	[DMV_FEC_START] = { "fec_start", true, 0 },
	[DMV_SIG_KEY] = { "root_hash_sig_key_desc", true, DMV_BIT(DMV_SIG_KEY) },
};

/*
 * The value of an option, checked as verity_fec_parse_opt_args() does;
 * *@n is set to a number's value.
 */
static int check_value(enum dmv_opt_id id, const struct dmv_arg *v, u64 *n)
{
	switch (id) {
	case DMV_FEC_ROOTS:
		/* "%hhu": the number modulo 256, DM_VERITY_FEC_RSM - RSN */
		if (!arg_num(v, n) || (u8)*n < 2 || (u8)*n > 24)
			return -EINVAL;
		return 0;
	case DMV_FEC_BLOCKS:
	case DMV_FEC_START:
		return arg_num(v, n) ? 0 : -EINVAL;
	default:
		return 0;
	}
}

static int lookup_opt(const struct dmv_arg *a)
{
	int id;

	for (id = 0; id < __DMV_OPT_MAX; id++) {
		if (arg_is(a, dmv_opts[id].name))
			return id;
	}
	return -EINVAL;
}

/*
 * The optional group, from the argument after the salt to the end: sets
 * @root->sig and @root->verifies when there is one.
 */
static int parse_group(const char *pos, const char *end,
		      struct ipe_eng_dmv_root *root)
{
	struct dmv_arg args[IPE_ENG_DMV_OPTS_MAX], a;
	u32 n, i, seen = 0;
	u64 count, num, fec_blocks = 0;
	int id, rc;

	if (!next_word(&pos, end, &a))
		return 0;
	/* dm_read_arg_group(): "%u", so modulo 2^32, at most OPTS_MAX */
	if (!arg_num(&a, &count) || (u32)count > IPE_ENG_DMV_OPTS_MAX)
		return -EINVAL;
	n = (u32)count;
	for (i = 0; i < n; i++) {
		if (!next_word(&pos, end, &args[i]))
			return -EINVAL;
	}
	/* the kernel ignores words after the group, but never prints any */
	if (next_word(&pos, end, &a))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		id = lookup_opt(&args[i]);
		if (id < 0 || (seen & dmv_opts[id].conflicts))
			return -EINVAL;
		seen |= DMV_BIT(id);
		if (!dmv_opts[id].value)
			continue;
		if (++i == n)
			return -EINVAL;
		rc = check_value((enum dmv_opt_id)id, &args[i], &num);
		if (rc)
			return rc;
		if (id == DMV_FEC_BLOCKS)
			fec_blocks = num;	/* the last one counts */
	}
	/* verity_fec_ctr(): a FEC device needs fec_roots and fec_blocks > 0 */
	if ((seen & DMV_BIT(DMV_FEC_DEV)) &&
	    (!(seen & DMV_BIT(DMV_FEC_ROOTS)) || !fec_blocks))
		return -EINVAL;
	root->sig = seen & DMV_BIT(DMV_SIG_KEY);
	root->verifies = !(seen & DMV_UNVERIFIED);
	return 0;
}

/**
 * ipe_eng_dmv_parse_table() - what a dm-verity table line says about trust.
 * @line: the verity target's parameters, as the kernel prints its table
 *	(`dmsetup table`, STATUSTYPE_TABLE) and as its constructor takes
 *	them: "version data_dev hash_dev data_block_size hash_block_size
 *	num_data_blocks hash_start algorithm root_digest salt
 *	[#opt_params opt_params...]"; need not be NUL-terminated.
 * @len: bytes at @line (a NUL before @len ends it).
 * @root: filled in on success; zeroed on error.
 *
 * Arguments are split as the kernel splits them (its isspace(), backslash
 * quoting).  #opt_params counts the words after it, option names and their
 * values alike (root_hash_sig_key_desc DESC is 2); options are matched
 * case-insensitively, as the kernel does.  Of the positional arguments only
 * the algorithm and the root digest are checked: the kernel refused any
 * table it could not use, and the others say nothing about trust.  The
 * checks that need the devices or the algorithm (the digest's length for
 * it, FEC ranges against the block size) are the kernel's alone.
 *
 * The module reads the line from the live table, ipectl with the
 * DM_TABLE_STATUS ioctl: both reach the same answer from the same text.
 * A caller must take @root->verifies into account (see struct
 * ipe_eng_dmv_root).
 *
 * Context: any; does not allocate or sleep.
 * Return: 0; -EINVAL for a line the kernel would not take or did not
 * print: fewer than 10 arguments; an algorithm of IPE_ENG_DMV_ALG_MAX bytes
 * or more; a root digest that is empty, of odd length, not hex or over
 * IPE_ENG_DMV_DIGEST_MAX bytes; an #opt_params that is not a decimal
 * number, above IPE_ENG_DMV_OPTS_MAX or other than the number of words
 * after it; an unknown option; an option without its value; a second
 * mode (ignore_corruption, restart_on_corruption, panic_on_corruption),
 * error mode (restart_on_error, panic_on_error), use_fec_from_device or
 * root_hash_sig_key_desc; a fec_roots, fec_blocks or fec_start value the
 * kernel does not take; use_fec_from_device without fec_roots or a
 * non-zero fec_blocks.
 */
int ipe_eng_dmv_parse_table(const char *line, size_t len,
			    struct ipe_eng_dmv_root *root)
{
	const char *pos = line, *end = line + len;
	struct dmv_arg a, alg = { NULL, 0 }, digest = { NULL, 0 };
	unsigned int k;
	int rc;

	memset(root, 0, sizeof(*root));
	for (k = 0; k < DMV_NPOS; k++) {
		if (!next_word(&pos, end, &a))
			return -EINVAL;
		if (k == DMV_POS_ALG)
			alg = a;
		else if (k == DMV_POS_DIGEST)
			digest = a;
	}
	rc = arg_str(&alg, root->alg, sizeof(root->alg));
	if (!rc)
		rc = arg_hex(&digest, root->digest, sizeof(root->digest),
			     &root->len);
	root->verifies = true;
	if (!rc)
		rc = parse_group(pos, end, root);
	if (rc)
		memset(root, 0, sizeof(*root));
	return rc;
}
