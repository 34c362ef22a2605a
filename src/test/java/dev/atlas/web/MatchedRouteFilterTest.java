package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.glassfish.jersey.uri.UriTemplate;
import org.junit.jupiter.api.Test;

/** The uri tag of HTTP metrics: Jersey's matched templates without their patterns, outermost first. */
class MatchedRouteFilterTest {
    @Test
    void variablesLoseTheirPatternsIncludingNestedBraces() {
        assertEquals("{id}", MatchedRouteFilter.withoutRegex("{id: [0-9]{1,18}}"));
        assertEquals("{id}/start", MatchedRouteFilter.withoutRegex("{id: [0-9]{1,18}}/start"));
        assertEquals("/tasks/{id}", MatchedRouteFilter.withoutRegex("/tasks/{id}"));
        assertEquals("/tasks", MatchedRouteFilter.withoutRegex("/tasks"));
    }

    @Test
    void templatesAreJoinedOutermostFirst() {
        assertEquals("/tasks/{id}/start", MatchedRouteFilter.template(
                List.of(new UriTemplate("{id: [0-9]{1,18}}/start"), new UriTemplate("/tasks"))));
        assertEquals("/tasks", MatchedRouteFilter.template(List.of(new UriTemplate("/tasks"))));
        assertEquals("/tasks/{id}", MatchedRouteFilter.template(
                List.of(new UriTemplate("/{id: [0-9]{1,18}}"), new UriTemplate("/tasks/"))));
        assertEquals("/diagnostics", MatchedRouteFilter.template(List.of(new UriTemplate("/"), new UriTemplate("/diagnostics"))));
    }
}
