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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
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
                ObjectNode read = switch (kind) {
                    case "ilm-explain" -> ilmExplain(body);
                    case "ism-explain" -> ismExplain(body);
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
}
