package org.mmlab.web.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardResource;

/** The page's scripts and styles, this bundle's /web folder, served under /mmlab/static/. */
@Component(service = PageResources.class)
@HttpWhiteboardResource(pattern = PageServlet.PATH + "/static/*", prefix = "/web")
public class PageResources {
}
