package io.mirador.hub.alert;

/** The comparison of a threshold rule. */
public enum Op {
  GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

  private final String symbol;

  Op(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  public static Op of(String symbol) {
    for (Op op : values()) {
      if (op.symbol.equals(symbol)) {
        return op;
      }
    }
    throw new IllegalArgumentException("op must be one of > >= < <= == !=; got '" + symbol + "'");
  }

  public boolean test(double value, double threshold) {
    return switch (this) {
      case GT -> value > threshold;
      case GE -> value >= threshold;
      case LT -> value < threshold;
      case LE -> value <= threshold;
      case EQ -> value == threshold;
      case NE -> value != threshold;
    };
  }
}
