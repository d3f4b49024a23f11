package io.meshshop.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Pod Security Standard "restricted" (which the namespace enforces, so a violation is a pod that never
 * starts), plus meshshop's own rules on top: a read-only root with a writable /tmp, and never UID 1337.
 */
class PodSecurityRestrictedTest {

    /** The Istio proxy's UID: traffic from it bypasses the sidecar's capture. */
    static final long ISTIO_PROXY_UID = 1337;

    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");

    static Stream<Named<Resources>> overlays() {
        return WorkloadContractTest.overlays();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void namespaceEnforcesRestrictedAndInjectsSidecars(Resources k8s) {
        Map<String, String> labels = k8s.named(Namespace.class, Repo.NAMESPACE).getMetadata().getLabels();
        assertEquals("restricted", labels.get("pod-security.kubernetes.io/enforce"));
        assertEquals("enabled", labels.get("istio-injection"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void podsMeetRestricted(Resources k8s) {
        for (Resources.Workload w : k8s.workloads()) {
            PodSpec pod = w.template().getSpec();
            String where = w.toString();
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()), where + ": host namespaces");
            PodSecurityContext podContext = pod.getSecurityContext();
            assertNotNull(podContext, where + " has no pod securityContext");
            assertNotNull(podContext.getSeccompProfile(), where + ": seccompProfile");
            assertTrue(Set.of("RuntimeDefault", "Localhost").contains(podContext.getSeccompProfile().getType()), where);
            assertTrue(podContext.getSysctls().isEmpty(), where + ": sysctls");
            for (Volume volume : pod.getVolumes()) {
                assertTrue(RESTRICTED_VOLUME_TYPES.contains(volumeType(volume)),
                        where + ": volume " + volume.getName() + " is a " + volumeType(volume));
            }
            List<Container> containers = new ArrayList<>(pod.getContainers());
            containers.addAll(pod.getInitContainers());
            for (Container c : containers) {
                assertContainerMeetsRestricted(where + " container " + c.getName(), podContext, c.getSecurityContext());
                for (ContainerPort port : c.getPorts()) {
                    assertNull(port.getHostPort(), where + ": hostPort");
                }
            }
        }
    }

    static void assertContainerMeetsRestricted(String where, PodSecurityContext pod, SecurityContext c) {
        assertNotNull(c, where + " has no securityContext");
        assertFalse(Boolean.TRUE.equals(c.getPrivileged()), where + ": privileged");
        assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation(), where + ": allowPrivilegeEscalation must be false");
        Capabilities capabilities = c.getCapabilities();
        assertNotNull(capabilities, where + ": capabilities");
        assertTrue(capabilities.getDrop().contains("ALL"), where + ": drop ALL capabilities");
        assertTrue(Set.of("NET_BIND_SERVICE").containsAll(capabilities.getAdd()), where + ": adds " + capabilities.getAdd());
        Boolean nonRoot = c.getRunAsNonRoot() != null ? c.getRunAsNonRoot() : pod.getRunAsNonRoot();
        assertEquals(Boolean.TRUE, nonRoot, where + ": runAsNonRoot");
        Long uid = c.getRunAsUser() != null ? c.getRunAsUser() : pod.getRunAsUser();
        assertNotNull(uid, where + ": a fixed runAsUser (the image's USER)");
        assertNotEquals(0L, uid, where + ": root");
        assertNotEquals(ISTIO_PROXY_UID, uid, where + ": UID 1337 is Istio's proxy, whose traffic is not captured");
        if (c.getSeccompProfile() != null) {
            assertTrue(Set.of("RuntimeDefault", "Localhost").contains(c.getSeccompProfile().getType()), where);
        }
        assertNull(c.getProcMount(), where + ": procMount");
        assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem(), where + ": read-only root file system");
    }

    /** With a read-only root, /tmp must be an emptyDir, or the JVM (and PostgreSQL) cannot write temp files. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void tmpIsAWritableEmptyDir(Resources k8s) {
        for (Resources.Workload w : k8s.workloads()) {
            PodSpec pod = w.template().getSpec();
            for (Container c : pod.getContainers()) {
                VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                        .orElseThrow(() -> new AssertionError(w + " container " + c.getName() + " has no /tmp mount"));
                assertFalse(Boolean.TRUE.equals(tmp.getReadOnly()), w + ": /tmp read-only");
                Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                        .orElseThrow(() -> new AssertionError(w + ": /tmp mounts missing volume " + tmp.getName()));
                assertNotNull(volume.getEmptyDir(), w + ": /tmp should be an emptyDir");
                if (k8s.serviceWorkloads().contains(w)) {
                    // Each service Deployment declares its own /tmp (pod-defaults cannot, see there): keep them bounded.
                    assertNotNull(volume.getEmptyDir().getSizeLimit(), w + ": /tmp needs a sizeLimit, or it can fill the node's disk");
                }
            }
        }
    }

    /** The services run as the UID their images declare, so files the image owns stay readable. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void servicesRunAsTheirImagesUser(Resources k8s) {
        for (Resources.Workload w : k8s.serviceWorkloads()) {
            String app = w.template().getMetadata().getLabels().get("app");
            Dockerfiles.User user = Dockerfiles.runtimeUser(app);
            PodSecurityContext pod = w.template().getSpec().getSecurityContext();
            assertEquals(user.uid(), pod.getRunAsUser(), w + ": runAsUser versus " + Dockerfiles.path(app));
            assertEquals(user.gid(), pod.getRunAsGroup(), w + ": runAsGroup versus " + Dockerfiles.path(app));
        }
    }

    private static String volumeType(Volume v) {
        Map<String, Object> types = new java.util.LinkedHashMap<>();
        types.put("configMap", v.getConfigMap());
        types.put("csi", v.getCsi());
        types.put("downwardAPI", v.getDownwardAPI());
        types.put("emptyDir", v.getEmptyDir());
        types.put("ephemeral", v.getEphemeral());
        types.put("persistentVolumeClaim", v.getPersistentVolumeClaim());
        types.put("projected", v.getProjected());
        types.put("secret", v.getSecret());
        types.put("hostPath", v.getHostPath());
        return types.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).findFirst()
                .orElse("type meshshop does not use");
    }
}
