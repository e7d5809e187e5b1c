/* daemon/tor's private declarations. */
#ifndef RN_TOR_INT_H
#define RN_TOR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "roneo/rn_conf.h"

/* Under DataDirectory */
#define RN_TOR_DIR	    "tor"
#define RN_TOR_CONTROL_SOCK "tor/control.sock"
#define RN_TOR_LOG	    "tor/tor.log"
#define RN_TOR_TORRC	    "tor/torrc"
#define RN_TOR_DEFAULTS	    "tor/torrc-defaults"
#define RN_ONION_DIR	    "onion"
#define RN_ONION_PUBLIC_DIR "onion/public"
#define RN_ONION_EDITOR_DIR "onion/editor"
#define RN_ADMIN_SOCK	    "admin.sock"

/* A Listen-style spec as tor's HiddenServicePort target: "unix:/abs", "IP:PORT". */
enum rn_err rn_tor_target(const char *spec, const char *data_directory, char *out, size_t outsz);
/*
 * Where the public onion forwards to: OnionListen when the onion can export
 * circuit ids (*proxy: connections start with a PROXY header), else Listen.
 */
enum rn_err rn_tor_public_target(
    const struct rn_conf *c, bool can_export, char *out, size_t outsz, bool *proxy);

#endif
