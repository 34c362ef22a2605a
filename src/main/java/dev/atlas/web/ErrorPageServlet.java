package dev.atlas.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The web application's one error page ({@code WEB-INF/web.xml} sends every error here): whatever the container or a
 * library refuses with {@code sendError} or an uncaught exception — {@code TRACE}, a missing static file or API path,
 * a header Jersey cannot parse — is answered as a {@link Problem} with the security headers, and never with the
 * container's HTML page naming it and its version. (What Tomcat refuses before choosing a web application, such as
 * {@code %00} in the path or headers over the limit, never reaches a web application: the container's error report
 * valve, configured by {@code AtlasServer} and {@code conf/tomcat/server.xml}, answers those.)
 * The status is the container's; the body carries no container message, class or stack trace. Requested directly,
 * the page does not exist (404). Stateless; thread-safe.
 */
@WebServlet(urlPatterns = ErrorPageServlet.PATH)
public class ErrorPageServlet extends HttpServlet {
    static final String PATH = "/error";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ErrorPageServlet.class.getName());

    /** Every method, TRACE included: an error dispatch keeps the refused request's method. */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean dispatched = req.getDispatcherType() == DispatcherType.ERROR;
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = dispatched && code instanceof Integer c && c >= 400 ? c : HttpServletResponse.SC_NOT_FOUND;
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = dispatched && uri instanceof String u ? u : req.getRequestURI();
        Problem problem = status == 500 ? unexpected(req, path) : refusal(status);

        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        SecurityHeadersFilter.apply(resp, path);
        resp.setHeader("Cache-Control", "no-store");
        resp.setStatus(status);
        resp.setContentType(Problem.MEDIA_TYPE);
        byte[] body = JsonConfig.MAPPER.writeValueAsBytes(problem);
        resp.setContentLength(body.length);
        if (!"HEAD".equals(req.getMethod())) {
            resp.getOutputStream().write(body);
        }
    }

    private static Problem refusal(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        return Problem.of(Problem.slug(status), title, status, Problem.detail(status, title));
    }

    private static Problem unexpected(HttpServletRequest req, String path) {
        String errorId = UUID.randomUUID().toString();
        // The container has logged the exception's stack already; this line ties it to the id the client sees.
        Object thrown = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String cause = thrown instanceof Throwable t ? ": " + t : "";
        LOG.severe(() -> "Unexpected error " + errorId + " on " + req.getMethod() + " " + path + cause);
        return Problem.of("internal", "Internal Server Error", 500,
                "An unexpected error occurred. Quote error id " + errorId + " when reporting it.").withErrorId(errorId);
    }
}
