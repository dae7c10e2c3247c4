/* Per-thread state: the SharedArrayBuffer and Uint8Array constructors of
 * this environment, looked up once so that args.c can recognise a
 * SharedArrayBuffer and view it without a global lookup per call. */
#include "state.h"

#include <stdlib.h>

static void free_state(napi_env env, void *data, void *hint) {
  (void)hint;
  addon_state *state = data;
  napi_delete_reference(env, state->shared_array_buffer);
  napi_delete_reference(env, state->uint8_array);
  free(state);
}

bool state_init(napi_env env) {
  napi_value global, sab, u8;
  addon_state *state = calloc(1, sizeof *state);
  if (state == NULL) return false;
  if (napi_get_global(env, &global) != napi_ok ||
      napi_get_named_property(env, global, "SharedArrayBuffer", &sab) != napi_ok ||
      napi_get_named_property(env, global, "Uint8Array", &u8) != napi_ok ||
      napi_create_reference(env, sab, 1, &state->shared_array_buffer) != napi_ok ||
      napi_create_reference(env, u8, 1, &state->uint8_array) != napi_ok) {
    free(state);
    return false;
  }
  return napi_set_instance_data(env, state, free_state, NULL) == napi_ok;
}

const addon_state *state_get(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return data;
}
