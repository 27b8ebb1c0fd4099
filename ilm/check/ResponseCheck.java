// Reads the explain answers that `logpipe setup` reads with the response types of the official
// clients (co.elastic.clients ExplainLifecycleResponse, opensearch-java ism ExplainPolicyResponse)
// and prints what they hold per index, for tests/unit/test_lifecycle_explain.py to compare with
// logpipe's own reader (logpipe/lifecycle/explain.py).
//
//   java -cp '<lib>/*' ResponseCheck.java KIND:FILE...
//
// KIND: `ilm-explain` (a `GET <index>/_ilm/explain` answer) or `ism-explain` (a
// `GET _plugins/_ism/explain/<index>` answer). Answers are read as the clients read them: a field
// their types do not hold is skipped (Elasticsearch adds `modified_date` and the like with
// `?human`; the OpenSearch types hold only the policy ids and `enabled`), while a missing required
// field, a wrong type or an unknown `managed` tag fails. Prints per file
// `OK FILE {"<index>": {"managed": ..., "policy": ..., ...}}` or `FAIL FILE: reason`; exits 1 if
// any file failed.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class ResponseCheck {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Answers are read as the clients read them: fields their types do not hold are skipped. */
    static final co.elastic.clients.json.jackson.JacksonJsonpMapper ES =
        new co.elastic.clients.json.jackson.JacksonJsonpMapper();
    static final org.opensearch.client.json.jackson.JacksonJsonpMapper OS =
        new org.opensearch.client.json.jackson.JacksonJsonpMapper();

    public static void main(String[] args) {
        int failures = 0;
        for (String arg : args) {
            String kind = arg.substring(0, arg.indexOf(':'));
            String file = arg.substring(arg.indexOf(':') + 1);
            try {
                String body = Files.readString(Path.of(file));
                JsonNode read = switch (kind) {
                    case "ilm-explain" -> ilmExplain(body);
                    case "ism-explain" -> ismExplain(body);
                    case "ilm-policy" -> ilmPolicies(body);
                    case "index-template" -> indexTemplates(body);
                    case "component-template" -> componentTemplates(body);
                    case "ism-policy" -> ismPolicy(body);
                    case "ism-update" -> ismUpdate(body);
                    default -> throw new IllegalArgumentException("unknown kind " + kind);
                };
                System.out.println("OK " + file + " " + read);
            } catch (Exception e) {
                failures++;
                System.out.println("FAIL " + file + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    static ObjectNode ilmExplain(String body) {
        var parsed = co.elastic.clients.elasticsearch.ilm.ExplainLifecycleResponse._DESERIALIZER.deserialize(
            ES.jsonProvider().createParser(new StringReader(body)), ES);
        ObjectNode out = JSON.createObjectNode();
        for (var entry : parsed.indices().entrySet()) {
            ObjectNode index = out.putObject(entry.getKey());
            var explained = entry.getValue();
            index.put("managed", explained.isTrue());
            if (explained.isTrue()) {
                var managed = explained.true_();
                index.put("policy", managed.policy());
                index.put("phase", managed.phase());
                index.put("action", managed.action());
                index.put("step", managed.step());
                index.put("failed_step", managed.failedStep());
            }
        }
        return out;
    }

    static ObjectNode ismExplain(String body) {
        var parsed = org.opensearch.client.opensearch.ism.ExplainPolicyResponse._DESERIALIZER.deserialize(
            OS.jsonProvider().createParser(new StringReader(body)), OS);
        ObjectNode out = JSON.createObjectNode();
        for (Map.Entry<String, org.opensearch.client.opensearch.ism.ExplainPolicy> entry : parsed.metadata().entrySet()) {
            var explained = entry.getValue();
            String policy = explained.indexPluginsIndexStateManagementPolicyId() != null
                ? explained.indexPluginsIndexStateManagementPolicyId()
                : explained.indexOpendistroIndexStateManagementPolicyId();
            ObjectNode index = out.putObject(entry.getKey());
            index.put("managed", policy != null);
            if (policy != null) {
                index.put("policy", policy);
            }
        }
        return out;
    }

    /** `GET _ilm/policy/<name>`: each policy's body, as `{"policy": ...}`. */
    static ObjectNode ilmPolicies(String body) throws Exception {
        var parsed = co.elastic.clients.elasticsearch.ilm.GetLifecycleResponse._DESERIALIZER.deserialize(
            ES.jsonProvider().createParser(new StringReader(body)), ES);
        ObjectNode out = JSON.createObjectNode();
        for (var entry : parsed.result().entrySet()) {
            out.putObject(entry.getKey()).set("policy", es(entry.getValue().policy()));
        }
        return out;
    }

    /** `GET _index_template/<name>`: each template's body by name. */
    static ObjectNode indexTemplates(String body) throws Exception {
        var parsed = co.elastic.clients.elasticsearch.indices.GetIndexTemplateResponse._DESERIALIZER.deserialize(
            ES.jsonProvider().createParser(new StringReader(body)), ES);
        ObjectNode out = JSON.createObjectNode();
        for (var item : parsed.indexTemplates()) {
            out.set(item.name(), es(item.indexTemplate()));
        }
        return out;
    }

    /** `GET _component_template/<name>`: each template's body by name. */
    static ObjectNode componentTemplates(String body) throws Exception {
        var parsed = co.elastic.clients.elasticsearch.cluster.GetComponentTemplateResponse._DESERIALIZER.deserialize(
            ES.jsonProvider().createParser(new StringReader(body)), ES);
        ObjectNode out = JSON.createObjectNode();
        for (var item : parsed.componentTemplates()) {
            out.set(item.name(), es(item.componentTemplate()));
        }
        return out;
    }

    /** `GET _plugins/_ism/policies/<id>`: the policy, as `{"policy": ...}` (the client's type
     * holds no `_seq_no` or `_primary_term`). */
    static ObjectNode ismPolicy(String body) throws Exception {
        var parsed = org.opensearch.client.opensearch.ism.GetPolicyResponse._DESERIALIZER.deserialize(
            OS.jsonProvider().createParser(new StringReader(body)), OS);
        StringWriter text = new StringWriter();
        try (var generator = OS.jsonProvider().createGenerator(text)) {
            parsed.policy().serialize(generator, OS);
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("policy", JSON.readTree(text.toString()));
        return out;
    }

    /** `POST _plugins/_ism/add|change_policy/<index>`: whether it failed, and why per index. */
    static ObjectNode ismUpdate(String body) {
        var parsed = org.opensearch.client.opensearch.ism.AddPolicyResponse._DESERIALIZER.deserialize(
            OS.jsonProvider().createParser(new StringReader(body)), OS);
        ObjectNode out = JSON.createObjectNode();
        out.put("failures", parsed.failures());
        var reasons = out.putArray("reasons");
        for (var failed : parsed.failedIndices()) {
            reasons.add(failed.reason());
        }
        return out;
    }

    static JsonNode es(co.elastic.clients.json.JsonpSerializable value) throws Exception {
        StringWriter text = new StringWriter();
        try (var generator = ES.jsonProvider().createGenerator(text)) {
            value.serialize(generator, ES);
        }
        return JSON.readTree(text.toString());
    }
}
