/* Per-thread state of the addon: it is context-aware, so the main thread and
 * every worker thread load it into their own environment, each with its
 * own cached constructors. */
#ifndef HIVESTREAM_STATE_H
#define HIVESTREAM_STATE_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>

typedef struct addon_state {
  napi_ref shared_array_buffer;
  napi_ref uint8_array;
} addon_state;

/* Creates this environment's state (freed with the environment). */
bool state_init(napi_env env);

/* This environment's state, or NULL before state_init. */
const addon_state *state_get(napi_env env);

#endif
