package dev.cllm;

/** Run by {@link DeviceTest} in a fresh JVM: makes and prints devices, nothing else. */
public final class DeviceProbe {
    private DeviceProbe() {}

    public static void main(String[] args) {
        Device auto = Device.auto();
        Device cpu = Device.parse("cpu");
        Device cuda = Device.parse("cuda:1");
        System.out.println("probe: " + auto + " " + cpu + " " + cuda + " " + auto.equals(Device.parse("auto")));
    }
}
