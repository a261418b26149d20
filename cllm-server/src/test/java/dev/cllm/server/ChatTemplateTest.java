package dev.cllm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatTemplate.ChatMessage> CHAT = List.of(
            new ChatTemplate.ChatMessage("system", "Be brief."),
            new ChatTemplate.ChatMessage("user", "What is 2 + 2?"),
            new ChatTemplate.ChatMessage("assistant", "4"),
            new ChatTemplate.ChatMessage("user", "And 3 + 3?"));

    @Test
    void theEmbeddedTemplateWritesTheQuestionAnswerFormatTheModelsWereTrainedOn() {
        String prompt = new ChatTemplate(ChatTemplate.EMBEDDED, "", "").render(CHAT);
        assertEquals("Question: What is 2 + 2?\nAnswer: 4\n\nQuestion: And 3 + 3?\nAnswer:", prompt);
    }

    /** A ChatML template as Hugging Face checkpoints ship it, with loop variables and string concatenation. */
    @Test
    void aHuggingFaceTemplateFromTokenizerConfigRendersAsTransformersWould() {
        String config = """
                {"bos_token": {"content": "<s>"}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"}
                """;
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(config, "tokenizer_config.json")
                .orElseThrow();
        String prompt = t.render(CHAT.subList(1, 2));
        assertEquals("<s><|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    @Test
    void aTemplateThatRaisesAnExceptionRefusesTheRequestWith400() {
        String config = """
                {"chat_template": "{% for message in messages %}{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ message['content'] }}{% endfor %}"}
                """;
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(config, "tokenizer_config.json")
                .orElseThrow();
        assertEquals("What is 2 + 2?", t.render(CHAT.subList(1, 2)));
        ApiError e = assertThrows(ApiError.class, () -> t.render(CHAT));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
    }

    @Test
    void aConfigWithoutTemplateHasNone() {
        assertTrue(ChatTemplate.fromTokenizerConfig("{\"eos_token\": \"</s>\"}", "x")
                .isEmpty());
    }
}
