/** The Hyper-V balloon driver, its VMBus channel and the simulated dynamic-memory host: private to hyperv-bundle. */
package org.mmlab.hyperv.internal;
