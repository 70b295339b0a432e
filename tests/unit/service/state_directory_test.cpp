// Under systemd the MQTT store goes to the unit's StateDirectory.
#include "pipeline/publish/mqtt_publisher.h"

#include <doctest/doctest.h>

#include <cstdlib>

TEST_CASE("MQTT persistence defaults to $STATE_DIRECTORY/mqtt, the first of its list") {
    setenv("XDG_STATE_HOME", "/home/someone/.local/state", 1);
    setenv("STATE_DIRECTORY", "/var/lib/edgesight/demo", 1);
    CHECK(es::pipeline::default_mqtt_persistence_dir() == "/var/lib/edgesight/demo/mqtt");
    setenv("STATE_DIRECTORY", "/var/lib/edgesight/demo:/var/lib/other", 1);
    CHECK(es::pipeline::default_mqtt_persistence_dir() == "/var/lib/edgesight/demo/mqtt");
    unsetenv("STATE_DIRECTORY");
    CHECK(es::pipeline::default_mqtt_persistence_dir() ==
          "/home/someone/.local/state/edgesight/mqtt");
    unsetenv("XDG_STATE_HOME");
}
