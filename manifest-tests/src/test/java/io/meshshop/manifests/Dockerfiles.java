package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/** The services' Dockerfiles, split into stages of instructions. */
final class Dockerfiles {

    private Dockerfiles() {
    }

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String from, List<Instruction> instructions) {

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        String last(String keyword) {
            List<String> values = all(keyword);
            return values.isEmpty() ? null : values.get(values.size() - 1);
        }
    }

    record User(long uid, long gid) {
    }

    static String path(String service) {
        return "services/" + service + "/Dockerfile";
    }

    static List<Stage> stages(String service) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder continued = new StringBuilder();
        for (String raw : Repo.read(path(service)).split("\n")) {
            String line = raw.strip();
            if (continued.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                continued.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String whole = continued.append(line).toString().strip();
            continued.setLength(0);
            String keyword = whole.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            String arguments = whole.contains(" ") ? whole.substring(whole.indexOf(' ') + 1).strip() : "";
            if (keyword.equals("FROM")) {
                current = new ArrayList<>();
                stages.add(new Stage(arguments, current));
            } else if (current == null) {
                fail(path(service) + ": " + keyword + " before the first FROM");
            } else {
                current.add(new Instruction(keyword, arguments));
            }
        }
        return stages;
    }

    static Stage runtime(String service) {
        List<Stage> stages = stages(service);
        return stages.get(stages.size() - 1);
    }

    /** The runtime stage's USER as numbers: a name would leave Kubernetes unable to check runAsNonRoot. */
    static User runtimeUser(String service) {
        String user = runtime(service).last("USER");
        if (user == null || !user.matches("\\d+:\\d+")) {
            return fail(path(service) + ": the runtime stage needs USER uid:gid in numbers, found " + user);
        }
        String[] parts = user.split(":");
        return new User(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }
}
