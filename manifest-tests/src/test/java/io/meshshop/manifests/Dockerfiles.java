package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** The services' Dockerfiles, split into stages of instructions. */
final class Dockerfiles {

    private Dockerfiles() {
    }

    record Instruction(String keyword, String arguments) {
    }

    /** A FROM image written as a build argument, ${NAME}, whose default a global ARG gives. */
    private static final Pattern ARGUMENT = Pattern.compile("\\$\\{([A-Z_]+)}");

    /**
     * A stage: {@code from} is its FROM with the build arguments' defaults filled in (what a plain
     * {@code docker build} uses), {@code declaredFrom} as written.
     */
    record Stage(String from, String declaredFrom, List<Instruction> instructions) {

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

    /** The ARGs before the first FROM, the only ones a FROM can use, with their defaults. */
    static Map<String, String> globalArguments(String service) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String line : Repo.read(path(service)).split("\n")) {
            String stripped = line.strip();
            if (stripped.toUpperCase(Locale.ROOT).startsWith("FROM ")) {
                break;
            }
            if (stripped.toUpperCase(Locale.ROOT).startsWith("ARG ")) {
                String[] nameAndDefault = stripped.substring(4).strip().split("=", 2);
                arguments.put(nameAndDefault[0], nameAndDefault.length > 1 ? nameAndDefault[1] : null);
            }
        }
        return arguments;
    }

    static List<Stage> stages(String service) {
        Map<String, String> arguments = globalArguments(service);
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
            String instructionArguments = whole.contains(" ") ? whole.substring(whole.indexOf(' ') + 1).strip() : "";
            if (keyword.equals("FROM")) {
                current = new ArrayList<>();
                stages.add(new Stage(withDefaults(service, arguments, instructionArguments), instructionArguments, current));
            } else if (current == null && keyword.equals("ARG")) {
                continue;
            } else if (current == null) {
                fail(path(service) + ": " + keyword + " before the first FROM");
            } else {
                current.add(new Instruction(keyword, instructionArguments));
            }
        }
        return stages;
    }

    private static String withDefaults(String service, Map<String, String> arguments, String from) {
        Matcher m = ARGUMENT.matcher(from);
        StringBuilder resolved = new StringBuilder();
        while (m.find()) {
            String value = arguments.get(m.group(1));
            if (value == null) {
                fail(path(service) + ": FROM uses ${" + m.group(1) + "}, which no ARG before the first FROM gives a default");
            }
            m.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        return m.appendTail(resolved).toString();
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
