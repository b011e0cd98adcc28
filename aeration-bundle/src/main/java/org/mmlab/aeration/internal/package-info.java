/** The hinting designs and their service: private to aeration-bundle. */
package org.mmlab.aeration.internal;
