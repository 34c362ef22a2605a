package dev.atlas;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The constant pool of one class file, read without a bytecode library: the texts a class refers to by name, and the
 * methods it calls (owner and name), for tests that check what the WAR's classes use.
 */
record ClassConstants(List<String> names, List<String> methodCalls) {

    /**
     * Reads {@code classFile}. {@code names} are its UTF-8 constants (class names, descriptors, signatures, annotation
     * types) except those that are the values of string literals; {@code methodCalls} are its method and
     * interface-method references as {@code owner.name}, the owner in internal form ({@code a/b/C.<init>}).
     */
    static ClassConstants read(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            data.readUnsignedShort(); // minor
            data.readUnsignedShort(); // major
            int count = data.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] first = new int[count]; // Class: its name; NameAndType: its name; Methodref: its class
            int[] second = new int[count]; // Methodref: its NameAndType
            boolean[] method = new boolean[count];
            Set<Integer> literals = new TreeSet<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = data.readUTF();
                    case 8 -> literals.add(data.readUnsignedShort()); // CONSTANT_String
                    case 7 -> first[i] = data.readUnsignedShort(); // Class
                    case 16, 19, 20 -> data.readUnsignedShort(); // MethodType, Module, Package
                    case 15 -> { // MethodHandle
                        data.readUnsignedByte();
                        data.readUnsignedShort();
                    }
                    case 10, 11 -> { // Methodref, InterfaceMethodref
                        method[i] = true;
                        first[i] = data.readUnsignedShort();
                        second[i] = data.readUnsignedShort();
                    }
                    case 12 -> { // NameAndType
                        first[i] = data.readUnsignedShort();
                        data.readUnsignedShort();
                    }
                    case 3, 4, 9, 17, 18 -> data.readInt(); // Integer, Float, Fieldref, dynamic
                    case 5, 6 -> { // Long, Double: two slots
                        data.readLong();
                        i++;
                    }
                    default -> throw new IOException("unknown constant tag " + tag + " in " + classFile);
                }
            }
            List<String> names = new ArrayList<>();
            List<String> calls = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                if (utf8[i] != null && !literals.contains(i)) {
                    names.add(utf8[i]);
                }
                if (method[i]) {
                    calls.add(utf8[first[first[i]]] + "." + utf8[first[second[i]]]);
                }
            }
            return new ClassConstants(names, calls);
        }
    }
}
