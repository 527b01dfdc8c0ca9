// One EPUBCheck for many books: packager/epub/epubcheck.py starts this with
// `java -cp epubcheck.jar CheckServer.java` (Java 11+ runs a source file as is)
// and writes one line per book, "EPUB<TAB>REPORT.json"; each is checked exactly as
// `java -jar epubcheck.jar EPUB --json REPORT.json -q` would, and the exit code
// comes back as one line. The JVM's start and warm-up (about 5 s of two cores)
// are paid once instead of once per book.
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class CheckServer {
    public static void main(String[] args) throws Exception {
        // EPUBCheck's own output goes to stderr; stdout carries only the answers.
        PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        BufferedReader requests =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        answers.println("ready");
        String line;
        while ((line = requests.readLine()) != null) {
            String[] paths = line.split("\t", 2);
            int code;
            try {
                code = new com.adobe.epubcheck.tool.EpubChecker()
                        .run(new String[] {paths[0], "--json", paths[1], "-q"});
            } catch (Throwable problem) {
                problem.printStackTrace();
                code = -1;
            }
            answers.println(code);
        }
    }
}
