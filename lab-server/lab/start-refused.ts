/** Why a lab will not start as asked (its data, its machine, its options), in words for whoever started it; no stack trace is news to them. */
export class StartRefused extends Error {}
