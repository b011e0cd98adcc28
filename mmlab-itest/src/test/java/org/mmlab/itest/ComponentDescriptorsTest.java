package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every lab bundle's components are in one descriptor, OSGI-INF/components.xml, which the build
 * made after bnd out of bnd's files, one a component (mmlab-build-tools' ScrDescriptors; Felix SCR
 * makes a new SAX parser for each file it reads). SCR must know each of them as bnd wrote it: the
 * same names, implementation, services, references, configuration PIDs and policy, properties; and
 * every class bnd made a component of (its class file holds the @Component annotation, CLASS
 * retention) must be one.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class ComponentDescriptorsTest {
    private static final String MERGED = "OSGI-INF/components.xml";
    private static final String COMPONENT_ANNOTATION = "Lorg/osgi/service/component/annotations/Component;";
    /** The reference Felix SCR adds to every DS 1.5 component when the framework has the true condition. */
    private static final String SATISFYING_CONDITION = "osgi.ds.satisfying.condition";

    @InjectBundleContext
    BundleContext context;

    @Test
    void everyLabBundleWithComponentsNamesOneDescriptor() {
        List<Bundle> bundles = labBundlesWithComponents();

        assertThat(bundles).extracting(Bundle::getSymbolicName).contains("mm-core-bundle", "virtio-bundle",
                "balloon-api-bundle", "cli-bundle", "race-lab-bundle");
        for (Bundle b : bundles) {
            assertThat(b.getHeaders("").get("Service-Component")).as(b.getSymbolicName()).isEqualTo(MERGED);
            assertThat(Collections.list(b.findEntries("OSGI-INF", "*.xml", false)))
                    .as("%s: OSGI-INF's descriptors", b.getSymbolicName())
                    .extracting(URL::getPath).containsExactly("/" + MERGED);
        }
    }

    @Test
    void scrKnowsEveryComponentOfTheDescriptorAsItIsWritten(
            @InjectService(timeout = 10_000) ServiceComponentRuntime scr) throws Exception {
        for (Bundle b : labBundlesWithComponents()) {
            Map<String, String> written = new TreeMap<>();
            Map<String, Set<String>> properties = new TreeMap<>();
            for (Element c : components(b)) {
                written.put(c.getAttribute("name"), facts(c));
                properties.put(c.getAttribute("name"), propertyNames(c));
            }
            Map<String, String> known = new TreeMap<>();
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                known.put(d.name, facts(d, properties.getOrDefault(d.name, Set.of())));
            }

            assertThat(written).as("%s: %d components written", b.getSymbolicName(), written.size()).isNotEmpty();
            assertThat(known).as(b.getSymbolicName()).isEqualTo(written);
        }
    }

    @Test
    void everyClassAnnotatedAsAComponentIsOne(@InjectService(timeout = 10_000) ServiceComponentRuntime scr)
            throws IOException {
        for (Bundle b : labBundlesWithComponents()) {
            TreeSet<String> annotated = new TreeSet<>();
            for (URL u : Collections.list(b.findEntries("/", "*.class", true))) {
                try (InputStream in = u.openStream()) {
                    if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(COMPONENT_ANNOTATION)) {
                        String path = u.getPath().substring(1);
                        annotated.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
                    }
                }
            }
            TreeSet<String> components = scr.getComponentDescriptionDTOs(b).stream()
                    .map(d -> d.implementationClass).collect(Collectors.toCollection(TreeSet::new));

            assertThat(components).as(b.getSymbolicName()).isNotEmpty().isEqualTo(annotated);
        }
    }

    private List<Bundle> labBundlesWithComponents() {
        return Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName().endsWith("-bundle") && b.getHeaders("").get("Service-Component") != null)
                .collect(Collectors.toList());
    }

    private static List<Element> components(Bundle b) throws Exception {
        URL url = b.getEntry(MERGED);
        assertThat(url).as("%s: %s", b.getSymbolicName(), MERGED).isNotNull();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        try (InputStream in = url.openStream()) {
            NodeList all = f.newDocumentBuilder().parse(in).getDocumentElement().getChildNodes();
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < all.getLength(); i++) {
                if (all.item(i) instanceof Element e && e.getLocalName().equals("component")) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    /** What the descriptor says of a component, with DS's defaults where it says nothing (112.4.3-112.4.7). */
    private static String facts(Element c) {
        String name = c.getAttribute("name");
        List<String> services = children(c, "provide").stream().map(p -> p.getAttribute("interface")).toList();
        String factory = c.getAttribute("factory");
        String immediate = c.hasAttribute("immediate") ? c.getAttribute("immediate")
                : String.valueOf(services.isEmpty() && factory.isEmpty());
        String pid = c.hasAttribute("configuration-pid") ? c.getAttribute("configuration-pid") : name;
        TreeSet<String> refs = new TreeSet<>();
        for (Element r : children(c, "reference")) {
            refs.add(ref(r.getAttribute("name"), r.getAttribute("interface"), or(r, "cardinality", "1..1"),
                    or(r, "policy", "static"), or(r, "policy-option", "reluctant"), r.getAttribute("target"),
                    or(r, "scope", "bundle")));
        }
        return String.join("\n  ", name, "class " + children(c, "implementation").get(0).getAttribute("class"),
                "services " + services, "factory " + factory, "immediate " + immediate,
                "configuration " + or(c, "configuration-policy", "optional") + " " + Arrays.asList(pid.split(" ")),
                "references " + refs, "properties " + propertyNames(c));
    }

    private static TreeSet<String> propertyNames(Element c) {
        return children(c, "property").stream().map(p -> p.getAttribute("name"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** What SCR knows of it; of its properties, those the descriptor names (SCR adds component.name and the like). */
    private static String facts(ComponentDescriptionDTO d, Set<String> named) {
        TreeSet<String> refs = new TreeSet<>();
        for (ReferenceDTO r : d.references) {
            if (!r.name.equals(SATISFYING_CONDITION)) {
                refs.add(ref(r.name, r.interfaceName, r.cardinality, r.policy, r.policyOption,
                        r.target == null ? "" : r.target, r.scope));
            }
        }
        TreeSet<String> props = new TreeSet<>(d.properties.keySet());
        props.retainAll(named);
        return String.join("\n  ", d.name, "class " + d.implementationClass,
                "services " + Arrays.asList(d.serviceInterfaces), "factory " + (d.factory == null ? "" : d.factory),
                "immediate " + d.immediate, "configuration " + d.configurationPolicy + " " + Arrays.asList(d.configurationPid),
                "references " + refs, "properties " + props);
    }

    private static String ref(String name, String iface, String cardinality, String policy, String option,
            String target, String scope) {
        return name + " " + iface + " " + cardinality + " " + policy + " " + option + " " + scope
                + (target.isEmpty() ? "" : " " + target);
    }

    private static String or(Element e, String attribute, String otherwise) {
        return e.hasAttribute(attribute) ? e.getAttribute(attribute) : otherwise;
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        NodeList all = parent.getElementsByTagNameNS("*", localName);
        for (int i = 0; i < all.getLength(); i++) {
            out.add((Element) all.item(i));
        }
        return out;
    }
}
