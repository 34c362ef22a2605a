package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import org.junit.jupiter.api.Test;

/** A frame's text is always encodable as UTF-8 and means the same JSON; its byte size is the encoded size. */
class FrameTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void textWithoutLoneSurrogatesIsKeptAsItIs() {
        String text = "{\"title\":\"pump \u00e9 \ud83d\ude80 \u4e2d\"}";
        assertSame(text, Frame.of(text).text());
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Frame.of(text).bytes());
    }

    @Test
    void loneSurrogatesBecomeTheirJsonEscapeAndTheJsonMeansTheSame() throws Exception {
        for (String title : new String[] {"a\ud800b", "\udc00", "x\ud800", "\ud800\ud800\ude80", "\ude80\ud83d"}) {
            String json = JSON.writeValueAsString(JSON.createObjectNode().put("title", title));
            Frame f = Frame.of(json);
            assertEquals(title, JSON.readTree(f.text()).path("title").textValue(), "the same string after parsing");
            byte[] utf8 = strictUtf8(f.text()); // the container's encoder refuses unpaired surrogates
            assertEquals(utf8.length, f.bytes());
        }
    }

    @Test
    void theEscapeIsLowerCaseHexInsideTheString() {
        assertEquals("[\"\\ud800\"]", Frame.of("[\"\ud800\"]").text());
    }

    private static byte[] strictUtf8(String s) throws CharacterCodingException {
        var buf = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }
}
