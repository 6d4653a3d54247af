/**
 * Why an answer was refused, in the tenant's language: the page shows these under the
 * question the server named. English is the fallback for other languages.
 */
const en = {
  tooLarge: 'These answers are too large to store.',
  tooDeep: 'This answer is nested too deeply.',
  tooLong: 'This answer is too long (at most {max} characters).',
  invalid: 'This is not a valid answer to this question.',
  unknownKey: 'This survey has no such question.',
  hidden: 'This question is not asked given your other answers; please check them.',
  notAChoice: 'Please choose one of the options offered.',
  notPartOfAnswer: 'This is not part of a valid answer to this question.',
  number: 'Please enter a number.',
  text: 'Please enter text.',
  fileType: 'Files of this type ({type}) cannot be sent.',
  fileTooLarge: 'This file is too large (at most {max} bytes).',
  filesTooLarge: 'The files together are too large (at most {max} bytes).',
};

/** Name of one message. */
export type AnswerTextKey = keyof typeof en;

const pl: Record<AnswerTextKey, string> = {
  tooLarge: 'Te odpowiedzi są zbyt duże, aby je zapisać.',
  tooDeep: 'Ta odpowiedź jest zbyt głęboko zagnieżdżona.',
  tooLong: 'Ta odpowiedź jest za długa (najwyżej {max} znaków).',
  invalid: 'To nie jest prawidłowa odpowiedź na to pytanie.',
  unknownKey: 'W tej ankiecie nie ma takiego pytania.',
  hidden: 'To pytanie nie jest zadawane przy Twoich pozostałych odpowiedziach; sprawdź je, proszę.',
  notAChoice: 'Wybierz, proszę, jedną z podanych odpowiedzi.',
  notPartOfAnswer: 'To nie jest część prawidłowej odpowiedzi na to pytanie.',
  number: 'Wpisz, proszę, liczbę.',
  text: 'Wpisz, proszę, tekst.',
  fileType: 'Nie można wysłać plików tego typu ({type}).',
  fileTooLarge: 'Ten plik jest za duży (najwyżej {max} bajtów).',
  filesTooLarge: 'Pliki razem są za duże (najwyżej {max} bajtów).',
};

const ka: Record<AnswerTextKey, string> = {
  tooLarge: 'ეს პასუხები შესანახად ძალიან დიდია.',
  tooDeep: 'ეს პასუხი ზედმეტად ღრმად არის ჩადგმული.',
  tooLong: 'ეს პასუხი ძალიან გრძელია (მაქსიმუმ {max} სიმბოლო).',
  invalid: 'ეს არ არის ამ კითხვის სწორი პასუხი.',
  unknownKey: 'ამ გამოკითხვაში ასეთი კითხვა არ არის.',
  hidden: 'თქვენი სხვა პასუხების გათვალისწინებით ეს კითხვა არ ისმება; გთხოვთ, გადაამოწმოთ ისინი.',
  notAChoice: 'გთხოვთ, აირჩიოთ შემოთავაზებული ვარიანტებიდან ერთ-ერთი.',
  notPartOfAnswer: 'ეს არ არის ამ კითხვის სწორი პასუხის ნაწილი.',
  number: 'გთხოვთ, შეიყვანოთ რიცხვი.',
  text: 'გთხოვთ, შეიყვანოთ ტექსტი.',
  fileType: 'ამ ტიპის ({type}) ფაილების გაგზავნა შეუძლებელია.',
  fileTooLarge: 'ეს ფაილი ძალიან დიდია (მაქსიმუმ {max} ბაიტი).',
  filesTooLarge: 'ფაილები ერთად ძალიან დიდია (მაქსიმუმ {max} ბაიტი).',
};

const uk: Record<AnswerTextKey, string> = {
  tooLarge: 'Ці відповіді завеликі, щоб їх зберегти.',
  tooDeep: 'Ця відповідь має надто глибоку вкладеність.',
  tooLong: 'Ця відповідь задовга (щонайбільше {max} символів).',
  invalid: 'Це неправильна відповідь на це запитання.',
  unknownKey: 'У цьому опитуванні немає такого запитання.',
  hidden: 'З огляду на ваші інші відповіді це запитання не ставиться; будь ласка, перевірте їх.',
  notAChoice: 'Будь ласка, виберіть один із запропонованих варіантів.',
  notPartOfAnswer: 'Це не частина правильної відповіді на це запитання.',
  number: 'Будь ласка, введіть число.',
  text: 'Будь ласка, введіть текст.',
  fileType: 'Файли такого типу ({type}) не можна надіслати.',
  fileTooLarge: 'Цей файл завеликий (щонайбільше {max} байтів).',
  filesTooLarge: 'Файли разом завеликі (щонайбільше {max} байтів).',
};

const ru: Record<AnswerTextKey, string> = {
  tooLarge: 'Эти ответы слишком велики, чтобы их сохранить.',
  tooDeep: 'Этот ответ слишком глубоко вложен.',
  tooLong: 'Этот ответ слишком длинный (не более {max} символов).',
  invalid: 'Это неверный ответ на этот вопрос.',
  unknownKey: 'В этом опросе нет такого вопроса.',
  hidden: 'С учётом ваших других ответов этот вопрос не задаётся; пожалуйста, проверьте их.',
  notAChoice: 'Пожалуйста, выберите один из предложенных вариантов.',
  notPartOfAnswer: 'Это не часть правильного ответа на этот вопрос.',
  number: 'Пожалуйста, введите число.',
  text: 'Пожалуйста, введите текст.',
  fileType: 'Файлы этого типа ({type}) нельзя отправить.',
  fileTooLarge: 'Этот файл слишком большой (не более {max} байт).',
  filesTooLarge: 'Файлы вместе слишком большие (не более {max} байт).',
};

const TABLES: Record<string, Record<AnswerTextKey, string>> = { en, pl, ka, uk, ru };

/** A refusal reason in `lang` (by its primary subtag; English otherwise), placeholders filled. */
export function answerText(lang: string, key: AnswerTextKey, vars: Record<string, string> = {}): string {
  const table = TABLES[lang.toLowerCase().split(/[-_]/)[0] ?? ''] ?? en;
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}
