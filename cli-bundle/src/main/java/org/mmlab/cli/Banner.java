package org.mmlab.cli;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle has to tell a person when the interactive lab starts, e.g. the address of the lab's
 * web page: the lab's console prints the lines of every Banner service under its greeting, once the
 * lab is up. Scripts print none.
 */
@ConsumerType
public interface Banner {

    /** The lines to print, each a sentence; may wait a few seconds for what it reports to be up. */
    List<String> lines();
}
