/**
 * The lab's shell, as scripts, the interactive console and tests use it: statements run in a Gogo
 * session, and a statement that fails says why in one line; and what bundles tell a person when the
 * interactive lab starts ({@link org.mmlab.cli.Banner}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.mmlab.cli;
