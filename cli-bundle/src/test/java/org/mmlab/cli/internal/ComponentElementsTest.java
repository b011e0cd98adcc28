package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The component elements of a descriptor, counted from its markup as SCR reads the document. */
class ComponentElementsTest {

    private static final String NS = "xmlns:scr='http://www.osgi.org/xmlns/scr/v1.4.0'";

    @Test
    void theRootIsOneComponentAsBndWritesIt() {
        assertThat(ComponentElements.in("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scr:component " + NS
                + " name=\"a\" immediate=\"true\">\n  <service>\n    <provide interface=\"x.Y\"/>\n  </service>\n"
                + "  <reference name=\"r\" target=\"(&amp;(a>1)(b=2))\"/>\n  <implementation class=\"x.A\"/>\n"
                + "</scr:component>\n")).isEqualTo(1);
    }

    @Test
    void theRootsChildrenCountAndNothingDeeperOrHidden() {
        assertThat(ComponentElements.in("<components " + NS + "><!-- <scr:component name='hidden'/> -->"
                + "<scr:component name='b'><property name='p'><![CDATA[<component/>]]></property></scr:component>"
                + "<component name='c'/><other><component name='deeper'/></other></components>")).isEqualTo(2);
    }

    @Test
    void aDoctypeAndProcessingInstructionsAreSkipped() {
        assertThat(ComponentElements.in("<?xml version='1.0'?><!DOCTYPE component [ <!ENTITY e 'x'> ]>"
                + "<?pi <component/> ?><component name='a'/>")).isEqualTo(1);
        assertThat(ComponentElements.in("<!DOCTYPE component SYSTEM 'c.dtd'><component name='a'></component>"))
                .isEqualTo(1);
    }

    @Test
    void aDocumentThatIsNotOneWellNestedElementCountsNone() {
        assertThat(ComponentElements.in("<scr:component " + NS + " name='a'>")).isZero();
        assertThat(ComponentElements.in("<component name='a'></other>")).isZero();
        assertThat(ComponentElements.in("<component name='a'/><component name='b'/>")).isZero();
        assertThat(ComponentElements.in("<component name='a <b'/>")).isZero();
        assertThat(ComponentElements.in("<!-- <component/>")).isZero();
        assertThat(ComponentElements.in("")).isZero();
    }
}
