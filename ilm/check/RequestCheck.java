// Checks request bodies that `logpipe setup` sends against the request types of the official
// clients, generated from the API specifications: co.elastic.clients:elasticsearch-java for
// Elasticsearch, org.opensearch.client:opensearch-java for OpenSearch ISM. Deserialisation is
// strict: an unknown phase, state, action, option or mapping parameter, a missing required option
// or a wrong value type fails; policies must also come back unchanged from the client's types,
// so nothing is silently dropped.
//
//   java -cp '<lib>/*' RequestCheck.java KIND:FILE...
//
// KIND: `ilm-policy` (a `PUT _ilm/policy/<name>` body), `ism-policy` (a
// `PUT _plugins/_ism/policies/<id>` body) or `component-template` (the mappings of a
// `PUT _component_template/<name>` body). Prints `OK FILE` or `FAIL FILE: reason` per file;
// exits 1 if any file failed.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

public class RequestCheck {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The clients ignore unknown fields by default (for newer servers); a check must not. */
    static final class StrictEs extends co.elastic.clients.json.jackson.JacksonJsonpMapper {
        @Override
        public boolean ignoreUnknownFields() {
            return false;
        }

        @Override
        public <T> co.elastic.clients.json.JsonpMapper withAttribute(String name, T value) {
            return this;
        }
    }

    static final class StrictOs extends org.opensearch.client.json.jackson.JacksonJsonpMapper {
        @Override
        public boolean ignoreUnknownFields() {
            return false;
        }

        @Override
        public <T> org.opensearch.client.json.JsonpMapper withAttribute(String name, T value) {
            return this;
        }
    }

    static final StrictEs ES = new StrictEs();
    static final StrictOs OS = new StrictOs();
    /** 200 and 200.0 are the same number (the OpenSearch spec types numbers as doubles). */
    static final Comparator<JsonNode> NUMBERS = (a, b) ->
        a.isNumber() && b.isNumber() ? Double.compare(a.doubleValue(), b.doubleValue()) : (a.equals(b) ? 0 : 1);

    public static void main(String[] args) {
        int failures = 0;
        for (String arg : args) {
            String kind = arg.substring(0, arg.indexOf(':'));
            String file = arg.substring(arg.indexOf(':') + 1);
            try {
                JsonNode body = JSON.readTree(Files.readString(Path.of(file)));
                switch (kind) {
                    case "ilm-policy" -> checkIlm(policy(body));
                    case "ism-policy" -> checkIsm(policy(body));
                    case "component-template" -> checkMappings(body);
                    default -> throw new IllegalArgumentException("unknown kind " + kind);
                }
                System.out.println("OK " + file);
            } catch (Exception e) {
                failures++;
                System.out.println("FAIL " + file + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    static JsonNode policy(JsonNode body) {
        if (!body.isObject() || body.size() != 1 || !body.has("policy")) {
            throw new IllegalArgumentException("the body must be {\"policy\": {...}} (the name goes in the path)");
        }
        return body.get("policy");
    }

    static void checkIlm(JsonNode policy) throws Exception {
        var parsed = co.elastic.clients.elasticsearch.ilm.IlmPolicy._DESERIALIZER.deserialize(
            ES.jsonProvider().createParser(new StringReader(policy.toString())), ES);
        StringWriter out = new StringWriter();
        try (var generator = ES.jsonProvider().createGenerator(out)) {
            parsed.serialize(generator, ES);
        }
        same(policy, JSON.readTree(out.toString()));
    }

    static void checkIsm(JsonNode policy) throws Exception {
        JsonNode checked = withNumericRolloverValues(policy.deepCopy());
        var parsed = org.opensearch.client.opensearch.ism.Policy._DESERIALIZER.deserialize(
            OS.jsonProvider().createParser(new StringReader(checked.toString())), OS);
        StringWriter out = new StringWriter();
        try (var generator = OS.jsonProvider().createGenerator(out)) {
            parsed.serialize(generator, OS);
        }
        same(checked, JSON.readTree(out.toString()));
    }

    /**
     * The OpenSearch specification types the rollover conditions as numbers, while ISM takes
     * "1d" and "50gb" (and documents them so): their names are checked, their values are not.
     */
    static JsonNode withNumericRolloverValues(JsonNode policy) {
        for (JsonNode state : policy.path("states")) {
            for (JsonNode action : state.path("actions")) {
                JsonNode rollover = action.path("rollover");
                if (rollover.isObject()) {
                    List<String> names = new ArrayList<>();
                    rollover.fieldNames().forEachRemaining(names::add);
                    for (String name : names) {
                        if (!name.equals("copy_alias")) {
                            ((ObjectNode) rollover).put(name, 1);
                        }
                    }
                }
            }
        }
        return policy;
    }

    static void checkMappings(JsonNode body) throws Exception {
        JsonNode mappings = body.path("template").path("mappings");
        if (!mappings.isMissingNode()) {
            co.elastic.clients.elasticsearch._types.mapping.TypeMapping._DESERIALIZER.deserialize(
                ES.jsonProvider().createParser(new StringReader(mappings.toString())), ES);
        }
    }

    static void same(JsonNode written, JsonNode back) {
        if (!written.equals(NUMBERS, back)) {
            throw new IllegalArgumentException("the client types do not keep the body as written; they give " + back);
        }
    }
}
