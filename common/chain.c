/* chain.c - per-thread plumbing for stages run as threads (include/chain.h). */
#include <string.h>

#include "chain.h"

static _Thread_local const struct chain_env *chain_env;

void
chain_set(const struct chain_env *env)
{
	chain_env = env;
}

const char *
chain_stdin(void)
{
	return chain_env ? chain_env->stdin_spec : NULL;
}

const char *
chain_stdout(void)
{
	return chain_env ? chain_env->stdout_spec : NULL;
}

void
chain_ready(volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1)
{
	if (chain_env != NULL && chain_env->ready != NULL)
		chain_env->ready(chain_env->arg, stop, usr1);
}

bool
chain_eof_endpoint(const char *endpoint)
{
	/* Skip czmq's bind/connect marks. */
	if (*endpoint == '@' || *endpoint == '>')
		endpoint++;
	return strncmp(endpoint, "inproc://", 9) == 0;
}
