package dev.cllm.data;

/** Names and nouns the generator draws from. Nouns are singular; {@link #plural(String)} makes plurals. */
final class Lexicon {
    private Lexicon() {}

    static final String[] FEMALE = {
        "Natalia", "Emma", "Olivia", "Ava", "Sophia", "Mia", "Amelia", "Harper", "Ella", "Grace", "Chloe", "Lily",
        "Zoe", "Nora", "Hannah", "Aria", "Layla", "Maya", "Sara", "Julia", "Rosa", "Priya", "Aisha", "Mei", "Yuki",
        "Fatima", "Elena", "Lucia", "Ines", "Anna", "Kate", "Lucy", "Ruby", "Alice", "Clara", "Jenna", "Tina", "Wendy",
        "Betty", "Carmen", "Dana", "Fiona", "Gina", "Helen", "Irene", "Janet", "Kira", "Laura", "Megan", "Nina",
        "Paula", "Rachel", "Tara", "Vera", "Zara", "Leah", "Sofia", "Mila", "Ivy", "Jade",
    };

    static final String[] MALE = {
        "James", "Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mason", "Logan", "Ethan", "Jack", "Leo", "Owen", "Henry",
        "Samuel", "David", "Daniel", "Carlos", "Diego", "Mateo", "Ahmed", "Omar", "Ravi", "Arjun", "Kenji", "Wei",
        "Ivan", "Marco", "Pablo", "Tom", "Ben", "Sam", "Max", "Adam", "Brian", "Chris", "Derek", "Eric", "Frank",
        "George", "Hugo", "Isaac", "Jason", "Kevin", "Luis", "Mark", "Nathan", "Oscar", "Peter", "Ryan", "Steve",
        "Tyler", "Victor", "Walter", "Xavier", "Zack", "Felix", "Gabe", "Joel", "Kyle", "Paul",
    };

    /** Things bought in a store, roughly $1 to $20 each. */
    static final String[] CHEAP_ITEMS = {
        "notebook",
        "pen",
        "pencil",
        "eraser",
        "marker",
        "folder",
        "ruler",
        "sticker sheet",
        "comic book",
        "candle",
        "mug",
        "sandwich",
        "muffin",
        "cupcake",
        "cookie box",
        "juice bottle",
        "apple pie",
        "toy car",
        "yo-yo",
        "kite",
        "ball",
        "puzzle",
        "card deck",
        "paintbrush",
        "sketchbook",
        "hair clip",
        "bracelet",
        "keychain",
        "plant pot",
        "flower bouquet",
        "pair of socks",
        "hat",
        "scarf",
        "water bottle",
        "lunch box",
        "bookmark",
        "magnet",
        "balloon pack",
        "picture frame",
        "towel",
    };

    /** Things bought for $20 to $200. */
    static final String[] PRICEY_ITEMS = {
        "jacket", "backpack", "bicycle helmet", "pair of shoes", "lamp", "chair", "desk", "guitar", "watch",
        "tablet case", "skateboard", "tent", "sleeping bag", "video game", "coat", "dress", "suitcase", "blender",
        "toaster", "board game", "camera bag", "soccer ball", "rug", "bookshelf", "microwave",
    };

    /** Countable small things people collect, give away, pick. */
    static final String[] COUNTABLES = {
        "marble", "sticker", "stamp", "seashell", "baseball card", "bead", "button", "coin", "crayon", "pebble",
        "apple", "orange", "peach", "plum", "lemon", "cherry", "strawberry", "cookie", "candy", "cupcake",
        "balloon", "flower", "tulip", "rose", "egg", "toy soldier", "paper crane", "feather", "ribbon", "acorn",
    };

    /** Fruit that can be picked. */
    static final String[] FRUITS = {
        "apple", "orange", "peach", "pear", "plum", "lemon", "mango", "strawberry", "cherry", "tomato",
    };

    /** Things baked or made in batches. */
    static final String[] BAKED = {
        "cookie", "cupcake", "muffin", "brownie", "pancake", "bread roll", "pie", "waffle", "scone", "bagel",
    };

    static final String[] ANIMALS = {
        "cow", "sheep", "goat", "pig", "horse", "chicken", "duck", "rabbit", "turkey", "llama",
    };

    static final String[] CONTAINERS = {"box", "bag", "crate", "basket", "carton", "jar", "tray", "bin"};

    static final String[] COLORS = {"red", "blue", "green", "yellow", "white", "purple", "orange", "pink", "black"};

    static final String[] INGREDIENTS = {
        "flour", "sugar", "milk", "butter", "oats", "rice", "water", "cream", "cocoa", "honey",
    };

    static final String[] CHORES = {
        "mowing lawns",
        "walking dogs",
        "washing cars",
        "babysitting",
        "tutoring",
        "delivering newspapers",
        "raking leaves",
        "painting fences",
        "cleaning windows",
        "shoveling snow",
    };

    static final String[] VEHICLES = {"car", "bus", "truck", "train", "van", "motorcycle"};

    static final String[] GROUPS = {"class", "club", "team", "choir", "band", "camp group"};

    /** Plural of a noun from the lists above ("pair of shoes" becomes "pairs of shoes"). */
    static String plural(String noun) {
        int of = noun.indexOf(" of ");
        if (of > 0) return plural(noun.substring(0, of)) + noun.substring(of);
        if (noun.equals("sheep")) return "sheep";
        if (noun.equals("candy")) return "candies";
        if (noun.equals("scarf")) return "scarves";
        if (noun.equals("tomato") || noun.equals("mango")) return noun + "es";
        if (noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("ch") || noun.endsWith("sh")) {
            return noun + "es";
        }
        if (noun.endsWith("y") && noun.length() > 1 && "aeiou".indexOf(noun.charAt(noun.length() - 2)) < 0) {
            return noun.substring(0, noun.length() - 1) + "ies";
        }
        return noun + "s";
    }
}
