package org.mmlab.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Whether the lab listens beyond this machine: what decides that the console's shipped password goes. */
class WebAddressTest {

    @Test
    void loopbackEndpointsStayOnThisMachine() {
        assertThat(WebAddress.endpointLoopback("http://127.0.0.1:8080/")).isTrue();
        assertThat(WebAddress.endpointLoopback("http://127.0.0.2:8080/")).isTrue();
        assertThat(WebAddress.endpointLoopback("http://[::1]:8080/")).isTrue();
        assertThat(WebAddress.endpointLoopback("http://localhost:8080/")).isTrue();
    }

    @Test
    void everyInterfaceOrAnotherAddressIsBeyondIt() {
        assertThat(WebAddress.endpointLoopback("http://0.0.0.0:8080/")).isFalse();
        assertThat(WebAddress.endpointLoopback("http://192.0.2.7:8080/")).isFalse();
        assertThat(WebAddress.endpointLoopback("http://[2001:db8::1]:8080/")).isFalse();
        assertThat(WebAddress.endpointLoopback("not a url")).isFalse();
    }
}
