package org.pcmdmabuf.conformance.device;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Expectation;

/**
 * What a wall-clock stream leaves uncompared on the device: positions and return values, never an errno or a
 * signal (a revoked mapping's SIGBUS after a running stream was once taken for a value and expected to succeed).
 */
class DeviceConformanceTest {
    @Test
    void aSignalOrAnErrnoIsAnOutcomeNotAValue() {
        assertFalse(DeviceConformance.expectsValue(Expectation.parse("SIGBUS - LIFETIME-REVOKE-ZAP")));
        assertFalse(DeviceConformance.expectsValue(Expectation.parse("EPIPE XRUN")));
        assertFalse(DeviceConformance.expectsValue(Expectation.parse("ok -")));
        assertTrue(DeviceConformance.expectsValue(Expectation.parse("4096 -")));
    }
}
