package dev.atlas.web;

import dev.atlas.event.EventType;
import dev.atlas.task.Priority;
import dev.atlas.task.TaskQuery;
import dev.atlas.task.TaskRules;
import dev.atlas.task.TaskStatus;
import dev.atlas.task.TaskView;
import dev.atlas.task.api.TaskResource;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ApplicationPath;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The OpenAPI 3 document of Atlas, served by {@link ApiDocsServlet}: the operations are read by swagger-core
 * from the JAX-RS resources and their annotations (each operation's own errors); this class adds what they
 * share and what no resource declares — the bearer scheme, the problem+json error responses (401, 429, 500 and
 * 503 on every call, 400/413/415 on every call with a body), the headers ({@code ETag}, {@code If-Match},
 * {@code Idempotency-Key}, {@code Location}, {@code Retry-After}), the request bodies (read by hand from JSON
 * trees), the task's value rules, the event envelope and the event names (WebSockets are outside OpenAPI:
 * {@code /ws} and {@code /socket.io/} are described in the document's description), and the health and metrics
 * endpoints. Enumerations come from the code ({@link EventType}, {@link TaskStatus}, {@link Priority}), so the
 * document cannot drift from them.
 *
 * <p>Built once, on first use; immutable afterwards; thread-safe.
 */
@ApplicationScoped
public class ApiDocs {
    static final String BEARER = "bearerAuth";
    static final String PROBLEM = Problem.MEDIA_TYPE;
    static final String TASK = TaskView.class.getSimpleName();
    /** The resources of the document; a new resource class must be listed here. */
    static final Set<Class<?>> RESOURCES = new LinkedHashSet<>(List.of(TaskResource.class, DiagnosticsResource.class,
            TokenResource.class, dev.atlas.agent.api.AgentResource.class, dev.atlas.agent.api.WalletAuthResource.class));

    @Inject
    NodeInfo node;

    private volatile Rendered rendered;

    private record Rendered(String json, String yaml) {
    }

    public String json() {
        return rendered().json();
    }

    public String yaml() {
        return rendered().yaml();
    }

    private Rendered rendered() {
        Rendered r = rendered;
        if (r == null) {
            synchronized (this) {
                if (rendered == null) {
                    OpenAPI api = build(node.version());
                    try {
                        rendered = new Rendered(Json.pretty().writeValueAsString(api), Yaml.pretty().writeValueAsString(api));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("Cannot serialize the OpenAPI document", e);
                    }
                }
                r = rendered;
            }
        }
        return r;
    }

    /** The document, for a given build version. */
    static OpenAPI build(String version) {
        OpenAPI base = new OpenAPI()
                .info(new Info().title("Atlas API").version(version).description(ApiDocsText.DESCRIPTION))
                .components(components())
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .tags(List.of(new Tag().name("tasks").description("Tasks: every change is pushed as an event"),
                        new Tag().name("agents").description("The agent roster and wallet sign-in (EIP-4361)"),
                        new Tag().name("operations").description("Diagnostics, tokens, health and metrics")));
        OpenAPI api = new Reader(new SwaggerConfiguration().openAPI(base)).read(RESOURCES);
        String root = AtlasApplication.class.getAnnotation(ApplicationPath.class).value();
        Paths paths = new Paths();
        new java.util.TreeMap<>(api.getPaths()).forEach((path, item) -> { // sorted: the UI lists them in this order
            item.readOperations().forEach(ApiDocs::addSharedResponses);
            paths.addPathItem(root + path, item);
        });
        paths.addPathItem("/health/live", health("Liveness: 200 while Atlas runs", false));
        paths.addPathItem("/health/ready", health("Readiness: 200 when the database answers, 503 otherwise", true));
        paths.addPathItem("/metrics", metrics());
        api.setPaths(paths);
        // the bodies are read as JSON trees and documented by reference (CreateTaskRequest…): the tree type is no schema
        api.getComponents().getSchemas().remove("JsonNode");
        describeTask(api.getComponents().getSchemas().get(TASK));
        return api;
    }

    // ---- components ----

    private static Components components() {
        Components c = new Components()
                .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                        .description("`Authorization: Bearer <JWT>`: role `admin` or `agent` (with `wallet`), `exp` required."));
        ModelConverters.getInstance().readAll(new AnnotatedType(Problem.class)).forEach(c::addSchemas);
        Schema<?> problem = c.getSchemas().get("Problem");
        problem.description("RFC 9457 problem details, the body of every error (`application/problem+json`).");
        prop(problem, "errors").description("Validation errors: the offending fields");
        prop(problem, "errorId").description("On 500: the id under which the error was logged");

        c.addSchemas("CreateTaskRequest", taskInput(true));
        c.addSchemas("UpdateTaskRequest", taskInput(false));
        c.addSchemas("MintTokenRequest", new ObjectSchema().description("What to mint").addRequiredItem("role")
                .addProperty("role", new StringSchema()._enum(List.of("admin", "agent")))
                .addProperty("wallet", new StringSchema().description("Required for `agent`: the agent's wallet address"))
                .addProperty("sub", new StringSchema().maxLength(TokenResource.SUB_MAX)
                        .description("The token's subject, shown in logs: one line, no control characters"))
                .addProperty("ttl", new StringSchema().description("Lifetime: `90s`, `30m`, `8h`, `7d` or ISO-8601 (`PT8H`)")
                        ._default("1h"))
                .additionalProperties(Boolean.FALSE));
        c.addSchemas("MintedToken", new ObjectSchema().addRequiredItem("token").addProperty("token", new StringSchema()));
        c.addSchemas("EventName", new StringSchema().description("The name of a task event (the envelope's `event`)")
                ._enum(Arrays.stream(EventType.values()).map(EventType::wireName).toList()));
        c.addSchemas("DeletedTask", new ObjectSchema().description("`data` of `taskDeleted`").addRequiredItem("id")
                .addProperty("id", new IntegerSchema().format("int64")));
        c.addSchemas("EventEnvelope", envelope());

        Function<String, ApiResponse> error = d -> new ApiResponse().description(d)
                .content(new Content().addMediaType(PROBLEM, new MediaType().schema(ref("schemas", "Problem"))));
        c.addResponses("BadRequest", error.apply("Invalid input: a body that is not UTF-8 (type `…/invalid-utf8`), "
                + "malformed JSON, an unknown or wrongly typed field, a value out of range or a character a field may not "
                + "contain (`errors` names the fields), a bad query parameter or cursor"));
        c.addResponses("Unauthorized", error.apply("No bearer token, or a bad one (expired, wrong key, issuer, audience…)")
                .addHeaderObject("WWW-Authenticate", headerRef("WWW-Authenticate")));
        c.addResponses("Forbidden", error.apply("The caller's role may not do this (agents: create, edit, delete, diagnostics, tokens)"));
        c.addResponses("NotFound", error.apply("No such task, or another agent's task"));
        c.addResponses("Conflict", error.apply("The transition is not allowed from the task's status"));
        c.addResponses("PreconditionFailed", error.apply("`If-Match` names another version: the task has changed"));
        c.addResponses("PayloadTooLarge", error.apply("Body over 1 MiB"));
        c.addResponses("UnsupportedMediaType", error.apply("The body is not `application/json`"));
        c.addResponses("IdempotencyConflict", error.apply("`Idempotency-Key` was used with another body (422)"));
        c.addResponses("TooManyRequests", error.apply("More REST requests per minute than `ATLAS_REST_RATE_LIMIT` (per token, "
                + "else per client IP)").addHeaderObject("Retry-After", headerRef("Retry-After")));
        c.addResponses("ServiceUnavailable", error.apply("The database cannot be reached; retry later")
                .addHeaderObject("Retry-After", headerRef("Retry-After")));
        c.addResponses("InternalError", error.apply("Unexpected error; `errorId` is in the server log"));

        c.addHeaders("ETag", new Header().description("The task's version, a strong entity tag: send it back in `If-Match`")
                .schema(new StringSchema().example("\"3\"")));
        c.addHeaders("Location", new Header().description("URL of the new task").schema(new StringSchema().format("uri")));
        c.addHeaders("Idempotent-Replayed", new Header().description("`true` when the answer repeats an earlier request "
                + "with the same `Idempotency-Key`").schema(new StringSchema()._enum(List.of("true"))));
        c.addHeaders("Retry-After", new Header().description("Seconds to wait before retrying").schema(new IntegerSchema()));
        c.addHeaders("WWW-Authenticate", new Header().description("`Bearer realm=\"atlas\"`, with `error=\"invalid_token\"` "
                + "and the reason when a token was refused").schema(new StringSchema()));
        return c;
    }

    private static Schema<?> taskInput(boolean create) {
        ObjectSchema s = new ObjectSchema();
        s.description(create ? "A new task; unknown fields are refused"
                : "The fields to change: absent fields stay unchanged, `null` clears; unknown fields are refused");
        String text = " Lengths count code points. Never: unpaired surrogates, bidi overrides or isolates (U+202A–U+202E, "
                + "U+2066–U+2069), control characters (U+0000–U+001F, U+007F–U+009F)";
        s.addProperty("title", new StringSchema().minLength(1).maxLength(TaskRules.TITLE_MAX).description("Trimmed; required"
                + (create ? "" : ", never null") + "; one line." + text + ", U+2028, U+2029"));
        s.addProperty("description", new StringSchema().maxLength(TaskRules.DESCRIPTION_MAX).nullable(true)
                .description(text.strip() + " but tab, line feed and carriage return"));
        s.addProperty("agentWallet", new StringSchema().maxLength(TaskRules.WALLET_MAX).nullable(true)
                .description("The agent's wallet address (`ATLAS_WALLET_PATTERN`, by default `^0x[0-9a-fA-F]{40}$`), stored "
                        + "lower-case; one line." + text + ", U+2028, U+2029"));
        s.addProperty("priority", new StringSchema()._enum(wireNames(Priority.values(), Priority::wireName)).nullable(true)
                .description(create ? "Absent or null: `normal`" : "null: `normal`"));
        s.addProperty("dueAt", new StringSchema().format("date-time").nullable(true).description("ISO-8601 instant"));
        if (create) {
            s.addRequiredItem("title");
        }
        return s;
    }

    private static Schema<?> envelope() {
        ObjectSchema s = new ObjectSchema();
        s.description("An event as `/ws` sends it, and as the single argument of the Socket.IO event of the same name: "
                + "`42[\"taskCreated\",{…envelope…}]`. WebSockets are outside OpenAPI: see the description above.");
        s.required(List.of("event", "timestamp", "id", "data"));
        s.addProperty("event", ref("schemas", "EventName"));
        s.addProperty("timestamp", new StringSchema().format("date-time").example("2026-11-25T18:00:00.000Z")
                .description("When the change committed: ISO-8601 UTC with exactly three fraction digits"));
        s.addProperty("id", new StringSchema().pattern("^[0-9]+$").example("1042")
                .description("The event sequence, increasing in commit order; send it back as `lastEventId` to resume"));
        s.addProperty("agentWallet", new StringSchema().description("Only on `taskAssigned`: the agent the task was assigned to"));
        s.addProperty("data", new Schema<>().description("The task exactly as `GET /api/tasks/{id}` returns it; "
                + "`{\"id\": …}` for `taskDeleted`").oneOf(List.of(ref("schemas", TASK), ref("schemas", "DeletedTask"))));
        return s;
    }

    private static void describeTask(Schema<?> task) {
        task.description("A task, as every endpoint returns it and as every event's `data` carries it. "
                + "Timestamps are ISO-8601 UTC with milliseconds, or null.");
        stringEnum(prop(task, "status"), wireNames(TaskStatus.values(), TaskStatus::wireName));
        stringEnum(prop(task, "priority"), wireNames(Priority.values(), Priority::wireName));
        for (String t : List.of("dueAt", "createdAt", "updatedAt", "startedAt", "completedAt")) {
            prop(task, t).format("date-time");
        }
        prop(task, "agentWallet").description("Lower-case wallet address of the agent, or null");
        for (String t : List.of("description", "agentWallet", "dueAt", "startedAt", "completedAt")) {
            prop(task, t).nullable(true);
        }
        task.setRequired(new java.util.ArrayList<>(task.getProperties().keySet())); // always present, null or not
        prop(task, "version").description("Incremented by every change; the `ETag`");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void stringEnum(Schema s, List<String> values) {
        s.setEnum(new java.util.ArrayList<>(values));
    }

    private static <E> List<String> wireNames(E[] values, Function<E, String> name) {
        return Arrays.stream(values).map(name).toList();
    }

    // ---- operations ----

    /**
     * swagger-core lists a method-level {@code @Parameter} beside the JAX-RS parameter of the same name instead of
     * merging them: keep the documented one.
     */
    private static void mergeParameters(Operation op) {
        if (op.getParameters() == null) {
            return;
        }
        Map<String, Parameter> byKey = new LinkedHashMap<>();
        for (Parameter p : op.getParameters()) {
            String key = p.getIn() + ":" + p.getName();
            Parameter seen = byKey.get(key);
            if (seen == null || (seen.getDescription() == null && p.getDescription() != null)) {
                byKey.put(key, p);
            }
        }
        op.setParameters(new java.util.ArrayList<>(byKey.values()));
    }

    /** What every {@code /api} operation may answer, and the headers of task responses. */
    private static void addSharedResponses(Operation op) {
        mergeParameters(op);
        ApiResponses r = op.getResponses();
        if (op.getRequestBody() != null) {
            r.putIfAbsent("400", responseRef("BadRequest"));
            r.putIfAbsent("413", responseRef("PayloadTooLarge"));
            r.putIfAbsent("415", responseRef("UnsupportedMediaType"));
        }
        r.putIfAbsent("401", responseRef("Unauthorized"));
        r.putIfAbsent("429", responseRef("TooManyRequests"));
        r.putIfAbsent("500", responseRef("InternalError"));
        r.putIfAbsent("503", responseRef("ServiceUnavailable"));
        r.forEach((status, response) -> {
            if (returnsTask(response)) {
                response.addHeaderObject("ETag", headerRef("ETag"));
            }
            if (status.equals("201")) {
                response.addHeaderObject("Location", headerRef("Location"));
                response.addHeaderObject("Idempotent-Replayed", headerRef("Idempotent-Replayed"));
            }
        });
        if (op.getParameters() != null) {
            for (Parameter p : op.getParameters()) {
                switch (p.getName()) {
                    case "If-Match" -> p.description("Only if the task still has this version (its `ETag`); otherwise 412");
                    case "Idempotency-Key" -> p.description("Makes a retried create safe: the same key and body within 24 h "
                            + "return the original task and emit nothing");
                    case "id" -> p.description("The task's id");
                    default -> {
                    }
                }
            }
        }
        r.keySet().stream().sorted().toList().forEach(k -> r.put(k, r.remove(k)));
    }

    private static boolean returnsTask(ApiResponse response) {
        if (response.getContent() == null) {
            return false;
        }
        return response.getContent().values().stream().anyMatch(m -> m.getSchema() != null
                && ("#/components/schemas/" + TASK).equals(m.getSchema().get$ref()));
    }

    private static PathItem health(String summary, boolean ready) {
        ApiResponses responses = new ApiResponses().addApiResponse("200", new ApiResponse().description("UP")
                .content(json(new ObjectSchema().addProperty("status", new StringSchema()._enum(List.of("UP", "DOWN"))))));
        if (ready) {
            responses.addApiResponse("503", new ApiResponse().description("The database does not answer: take the node out of rotation")
                    .addHeaderObject("Retry-After", headerRef("Retry-After")));
        }
        return new PathItem().get(new Operation().operationId(ready ? "ready" : "live").summary(summary)
                .addTagsItem("operations").security(List.of()).responses(responses));
    }

    private static PathItem metrics() {
        Content text = new Content().addMediaType("text/plain", new MediaType().schema(new StringSchema()));
        return new PathItem().get(new Operation().operationId("metrics").addTagsItem("operations")
                .summary("Prometheus metrics (text format 0.0.4)")
                .description("Open to clients on the node itself (`ATLAS_METRICS_ACCESS=local`); others send "
                        + "`ATLAS_METRICS_TOKEN` or an admin token as a bearer token.")
                .security(List.of(new SecurityRequirement(), new SecurityRequirement().addList(BEARER)))
                .responses(new ApiResponses().addApiResponse("200", new ApiResponse().description("Every meter").content(text))
                        .addApiResponse("401", responseRef("Unauthorized")).addApiResponse("403", responseRef("Forbidden"))));
    }

    // ---- helpers ----

    private static Content json(Schema<?> schema) {
        return new Content().addMediaType("application/json", new MediaType().schema(schema));
    }

    private static Schema<?> prop(Schema<?> object, String name) {
        Schema<?> p = (Schema<?>) object.getProperties().get(name);
        if (p == null) {
            throw new IllegalStateException("no property " + name + " in " + object.getName());
        }
        return p;
    }

    private static Schema<?> ref(String kind, String name) {
        return new Schema<>().$ref("#/components/" + kind + "/" + name);
    }

    private static ApiResponse responseRef(String name) {
        return new ApiResponse().$ref("#/components/responses/" + name);
    }

    private static Header headerRef(String name) {
        return new Header().$ref("#/components/headers/" + name);
    }
}
