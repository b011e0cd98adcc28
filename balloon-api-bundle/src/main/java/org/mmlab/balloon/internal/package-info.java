/** The balloon infrastructure's implementation (mm/balloon.c per contract). Private to the bundle. */
package org.mmlab.balloon.internal;
