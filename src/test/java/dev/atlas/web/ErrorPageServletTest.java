package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The error page's answer to an uncaught exception, which no request from outside can cause on purpose: a 500 problem
 * with an error id, and neither the exception's class nor its message in the body. The refusals are tested over real
 * HTTP (Refusals, in RestErrorsIT and StockTomcatIT).
 */
class ErrorPageServletTest {
    @Test
    void anUncaughtExceptionIsA500ProblemWithAnIdAndNoDetailOfTheException() throws Exception {
        Map<String, Object> attributes = Map.of(RequestDispatcher.ERROR_STATUS_CODE, 500,
                RequestDispatcher.ERROR_REQUEST_URI, "/health/ready",
                RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("secret internals"));
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getDispatcherType" -> DispatcherType.ERROR;
                    case "getAttribute" -> attributes.get((String) a[0]);
                    case "getMethod" -> "GET";
                    case "getRequestURI" -> "/error";
                    default -> null;
                });
        Map<String, String> headers = new HashMap<>();
        int[] status = {0};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }

            @Override
            public void write(int b) {
                body.write(b);
            }
        };
        HttpServletResponse resp = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                    case "isCommitted" -> false;
                    case "setHeader" -> headers.put((String) a[0], (String) a[1]);
                    case "setContentType" -> headers.put("Content-Type", (String) a[0]);
                    case "setStatus" -> {
                        status[0] = (Integer) a[0];
                        yield null;
                    }
                    case "getOutputStream" -> out;
                    default -> null;
                });

        new ErrorPageServlet().service(req, resp);

        assertEquals(500, status[0]);
        assertEquals(Problem.MEDIA_TYPE, headers.get("Content-Type"));
        assertEquals("nosniff", headers.get("X-Content-Type-Options"));
        JsonNode p = JsonConfig.MAPPER.readTree(body.toByteArray());
        assertEquals("https://atlas.dev/problems/internal", p.path("type").asText());
        String id = p.path("errorId").asText();
        assertEquals(36, id.length(), p::toString);
        assertTrue(p.path("detail").asText().contains(id), p::toString);
        assertFalse(p.toString().contains("secret internals") || p.toString().contains("IllegalState"), p::toString);
    }
}
