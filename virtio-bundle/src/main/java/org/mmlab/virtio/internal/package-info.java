/** The virtio-balloon driver, its virtio transport and the simulated host: private to virtio-bundle. */
package org.mmlab.virtio.internal;
