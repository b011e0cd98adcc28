/**
 * The race lab: the catalogue of races the reviews raised, run under controlled schedules against
 * each module protection policy, with what the kernel's debug tools would have reported.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.2.0")
package org.mmlab.lab;
