package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  void idsAreShortStableAndDistinct() {
    String id = SeriesCodec.id("cpu.usage{cpu=0}");
    assertEquals(8, id.length());
    assertTrue(id.matches("[A-Za-z0-9_-]{8}"), id);
    assertEquals(id, SeriesCodec.id("cpu.usage{cpu=0}"));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(SeriesCodec.id("disk.used{mount=/data/" + i + "}"));
    }
    assertEquals(100_000, ids.size());
  }

  @Test
  void pointsAreCompactAndDecodeInAppendOrder() {
    StringBuilder entries = new StringBuilder();
    SeriesCodec.appendEntry(entries, "AAAAAAAA", 12);
    SeriesCodec.appendEntry(entries, "BBBBBBBB", 12.5);
    SeriesCodec.appendEntry(entries, "CCCCCCCC", -0.001);
    SeriesCodec.appendEntry(entries, "AAAAAAAA", 1e300);
    assertEquals("AAAAAAAA,12;BBBBBBBB,12.5;CCCCCCCC,-0.001;AAAAAAAA,1.0E300;", entries.toString());

    String payload = "0:" + entries + "|5000:BBBBBBBB,3;AAAAAAAA,4;|7000:|";
    List<String> seen = new ArrayList<>();
    SeriesCodec.forEachPoint(payload, 1_000_000,
        id -> "AAAAAAAA".equals(id) ? (ts, value) -> seen.add(ts + "=" + value) : null);
    assertEquals(List.of("1000000=12.0", "1000000=1.0E300", "1005000=4.0"), seen, "other series are skipped");
  }
}
