/** The virtio: Gogo commands. Private to virtio-bundle. */
package org.mmlab.virtio.shell;
