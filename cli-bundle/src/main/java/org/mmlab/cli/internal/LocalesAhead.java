package org.mmlab.cli.internal;

import java.util.Locale;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * Asks the JDK for its locales on a thread of its own as soon as this bundle starts, before Felix HTTP starts
 * Jetty: Jetty's MimeTypes asks for them in its static initializer, on the framework's start-level thread that
 * every later bundle and the first statement wait for, and the JDK builds the list once (parsing its language
 * tags for each locale service provider) and keeps it. Only where the list is built moves: the web starts as
 * before. Not a component: SCR starts after Felix HTTP, in the bundles' name order at start level 10.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class LocalesAhead implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Thread thread = new Thread(Locale::getAvailableLocales, "mmlab-locales");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop(BundleContext context) {
        // nothing kept: the thread ends once the JDK has the list
    }
}
