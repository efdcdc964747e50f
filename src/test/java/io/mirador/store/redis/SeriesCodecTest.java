package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesCodecTest {

  @Test
  void fieldsSortTagsAndDecodeBack() {
    assertEquals("cpu.load", SeriesCodec.field("cpu.load", Map.of()));
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("mode", "user");
    tags.put("cpu", "0");
    assertEquals("cpu.usage{cpu=0,mode=user}", SeriesCodec.field("cpu.usage", tags));
    assertEquals(new SeriesCodec.Series("cpu.usage", Map.of("cpu", "0", "mode", "user")),
        SeriesCodec.parse("cpu.usage{cpu=0,mode=user}"));
    assertEquals(new SeriesCodec.Series("cpu.load", Map.of()), SeriesCodec.parse("cpu.load"));
  }

  @Test
  void awkwardTagValuesSurviveTheRoundTrip() {
    for (String value : List.of("", "a,b", "x=y", "}", "{", "back\\slash", "end\\", "é ü 日本", "a}b,c=d\\")) {
      Map<String, String> tags = Map.of("path", value, "z", "last");
      String field = SeriesCodec.field("fs.used", tags);
      assertEquals(new SeriesCodec.Series("fs.used", tags), SeriesCodec.parse(field), field);
    }
  }

  @Test
  void pointsAreCompactAndDecodeInAppendOrder() {
    StringBuilder payload = new StringBuilder();
    SeriesCodec.appendPoint(payload, 0, 12);
    SeriesCodec.appendPoint(payload, 5000, 12.5);
    SeriesCodec.appendPoint(payload, 10000, -0.001);
    SeriesCodec.appendPoint(payload, 15000, 1e300);
    assertEquals("0,12;5000,12.5;10000,-0.001;15000,1.0E300;", payload.toString());

    List<String> seen = new ArrayList<>();
    SeriesCodec.forEachPoint(payload.toString(), 1_000_000, (ts, value) -> seen.add(ts + "=" + value));
    assertEquals(List.of("1000000=12.0", "1005000=12.5", "1010000=-0.001", "1015000=1.0E300"), seen);
  }
}
